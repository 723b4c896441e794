// What an exception caught by a coroutine's completion handler says, for the log line and the
// failure reason: its what(), or "unknown exception" for one not derived from std::exception.
#pragma once

#include <exception>
#include <string>

namespace ks3::log {

std::string exception_message(const std::exception_ptr& error);

}  // namespace ks3::log
