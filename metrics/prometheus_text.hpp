// Prometheus text exposition format 0.0.4, as a pure function of a snapshot.
// Format reference: https://prometheus.io/docs/instrumenting/exposition_formats/
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "metrics/snapshot.hpp"

namespace ks3::metrics::prometheus {

// The Content-Type of the text format, as Prometheus sends it in its Accept header.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Renders the families in the given order (Registry::collect() already orders them):
//   # HELP <name> <escaped help>
//   # TYPE <name> <counter|gauge|histogram>
//   <name>{<label>="<escaped value>",...} <value>
// Histograms: <name>_bucket{...,le="<bound>"} cumulative, le="+Inf" (= count), <name>_sum,
// <name>_count. Families without samples are skipped.
std::string render(std::span<const FamilySnapshot> families);

// "# HELP" text: backslash -> \\ and line feed -> \n.
void append_escaped_help(std::string& out, std::string_view help);
// Label value: backslash -> \\, double quote -> \", line feed -> \n.
void append_escaped_label_value(std::string& out, std::string_view value);
// A sample value: "NaN", "+Inf", "-Inf", or the shortest decimal text that reads back to the same
// double (integers print without a fraction: 42, not 42.0).
void append_value(std::string& out, double value);

}  // namespace ks3::metrics::prometheus
