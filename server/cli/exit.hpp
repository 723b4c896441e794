// What a command-line parse can ask of main() instead of running: print a text and exit. The
// parsers are pure (arguments -> options or an Exit); main() alone prints and exits.
#pragma once

#include <string>
#include <variant>

namespace ks3::cli {

struct Exit {
  int status = 0;    // 0: --help or --version; 2: a usage error
  std::string text;  // status 0: for stdout (ends in a newline); 2: one line for stderr
};

// A parser's answer: the options to run with, or how to exit.
template <class Options>
using Parsed = std::variant<Options, Exit>;

// Writes the text where it belongs (stdout for status 0, stderr otherwise); returns the status.
int finish(const Exit& exit);

}  // namespace ks3::cli
