#include "metrics/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <vector>

namespace ks3::metrics::prometheus {
namespace {

std::string_view type_word(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

// Writes {a="x",b="y"[,le="bound"]}, or nothing when there is no label at all.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view le = {}) {
  if (names.empty() && le.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    // A snapshot from a family always has one value per name; stay in bounds regardless.
    append_escaped_label_value(out, i < values.size() ? std::string_view(values[i]) : "");
    out += '"';
  }
  if (!le.empty()) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void append_line(std::string& out, std::string_view name, const Descriptor& d,
                 const std::vector<std::string>& label_values, double value,
                 std::string_view le = {}) {
  out += name;
  append_labels(out, d.label_names, label_values, le);
  out += ' ';
  append_value(out, value);
  out += '\n';
}

void append_histogram(std::string& out, const Descriptor& d, const Sample& s) {
  const std::string bucket = d.name + "_bucket";
  const auto& h = s.histogram;
  std::string le;
  for (std::size_t i = 0; i < d.bucket_bounds.size(); ++i) {
    le.clear();
    append_value(le, d.bucket_bounds[i]);
    auto count = i < h.cumulative_counts.size() ? h.cumulative_counts[i] : h.count;
    append_line(out, bucket, d, s.label_values, static_cast<double>(count), le);
  }
  // "A histogram ... must have a bucket with {le="+Inf"}. Its value must be identical to the
  // value of x_count."
  append_line(out, bucket, d, s.label_values, static_cast<double>(h.count), "+Inf");
  append_line(out, d.name + "_sum", d, s.label_values, h.sum);
  append_line(out, d.name + "_count", d, s.label_values, static_cast<double>(h.count));
}

}  // namespace

void append_escaped_help(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_value(std::string& out, double value) {
  // "Value is a float represented as required by Go's ParseFloat() function. In addition to
  // standard numerical values, NaN, +Inf, and -Inf are valid values."
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  // Shortest round-trip representation (C++17 <charconv>): stable text for a stable value.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ec == std::errc{} ? end : buf);
}

std::string render(std::span<const FamilySnapshot> families) {
  std::string out;
  out.reserve(families.size() * 256);
  for (const auto& family : families) {
    const auto& d = family.descriptor;
    if (family.samples.empty()) continue;
    out += "# HELP ";
    out += d.name;
    out += ' ';
    append_escaped_help(out, d.help);
    out += "\n# TYPE ";
    out += d.name;
    out += ' ';
    out += type_word(d.type);
    out += '\n';
    for (const auto& sample : family.samples) {
      if (d.type == MetricType::histogram) {
        append_histogram(out, d, sample);
      } else {
        append_line(out, d.name, d, sample.label_values, sample.value);
      }
    }
  }
  return out;
}

}  // namespace ks3::metrics::prometheus
