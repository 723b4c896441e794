#include "server/cli/command_line.hpp"

#include <charconv>
#include <cstdlib>
#include <iostream>

namespace ks3::cli {
namespace {

// "a", "a or b", "a, b or c".
std::string or_list(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

// "kafka-s3-sink s3 ls": the names from the top-level App down to `app`.
std::string path_of(const std::vector<const CLI::App*>& chain, const CLI::App* app) {
  std::string path;
  for (const CLI::App* a : chain) {
    if (!path.empty()) path += ' ';
    path += a->get_name();
    if (a == app) break;
  }
  return path;
}

std::string subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return or_list(names);
}

}  // namespace

int finish(const Exit& exit) {
  (exit.status == 0 ? std::cout : std::cerr) << exit.text << std::flush;
  return exit.status;
}

void configure(CLI::App& app) {
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.get_formatter()->column_width(36);
}

std::optional<Exit> parse(CLI::App& app, std::span<const std::string> args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    return Exit{0, app.help()};  // the help of the deepest subcommand given
  } catch (const CLI::CallForAllHelp&) {
    return Exit{0, app.help("", CLI::AppFormatMode::All)};
  } catch (const CLI::CallForVersion& e) {
    return Exit{0, std::string(e.what()) + "\n"};
  } catch (const CLI::ParseError& e) {
    return Exit{2, usage_error_line(app, e) + "\n"};
  }
}

std::string usage_error_line(const CLI::App& app, const CLI::ParseError& e) {
  // The (sub)commands the parse entered, outermost first; the error is the deepest one's.
  std::vector<const CLI::App*> chain{&app};
  while (!chain.back()->get_subcommands().empty()) {
    chain.push_back(chain.back()->get_subcommands().front());
  }
  const CLI::App* where = chain.back();
  std::string message = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // Left over: the first word no (sub)command took, in the innermost one that kept any.
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const std::vector<std::string> words = (*it)->remaining();
      if (words.empty()) continue;
      where = *it;
      const std::string& word = words.front();
      message = word.size() > 1 && word[0] == '-' ? "unknown option '" + word + "'"
                                                  : "unexpected argument '" + word + "'";
      break;
    }
  } else if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
             where->get_require_subcommand_min() > 0) {
    // "A subcommand is required": name the word that is not one, or list them.
    const std::vector<std::string> words = where->remaining();
    message = words.empty() || words.front().starts_with('-')
                  ? "missing command (" + subcommand_names(*where) + ")"
                  : "unknown command '" + words.front() + "' (" + subcommand_names(*where) + ")";
  } else if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr &&
             message.ends_with(" missing") && message.find(": ") != std::string::npos) {
    // "--config: 1 required TEXT missing".
    message = message.substr(0, message.find(": ")) + " needs a value";
  } else if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr &&
             message.starts_with("Could not convert: ") && message.find(" = ") != message.npos) {
    // "Could not convert: --max-attempts = 99999999999" (passed the validator, not the type).
    const std::size_t eq = message.find(" = ");
    message = message.substr(19, eq - 19) + ": '" + message.substr(eq + 3) + "' is out of range";
  }
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  const std::string path = path_of(chain, where);
  return path + ": " + message + " (see " + path + " --help)";
}

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, std::string_view unit) {
  std::string expected = "a whole number";
  if (max != std::numeric_limits<std::uint64_t>::max()) {
    expected += " from " + std::to_string(min) + " to " + std::to_string(max);
  } else if (min == 1) {
    expected = "a positive whole number";
  } else if (min > 0) {
    expected += " >= " + std::to_string(min);
  }
  if (!unit.empty()) expected += " (" + std::string(unit) + ")";
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == text.npos;
        if (digits && ec == std::errc{} && ptr == end && value >= min && value <= max) return {};
        return "expects " + expected + ", not '" + text + "'";
      },
      "");
}

CLI::Validator non_negative_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (!text.empty() && *end == '\0' && !(value < 0)) return {};
        return "expects a number >= 0, not '" + text + "'";
      },
      "");
}

CLI::Option* one_of(CLI::Option* option, std::vector<std::string> words) {
  std::string type_name;
  for (const std::string& word : words) type_name += (type_name.empty() ? "" : "|") + word;
  option->type_name(type_name);
  return option->check(CLI::Validator(
      [words = std::move(words)](std::string& text) -> std::string {
        for (const std::string& word : words) {
          if (text == word) return {};
        }
        return "must be " + or_list(words) + ", not '" + text + "'";
      },
      ""));
}

}  // namespace ks3::cli
