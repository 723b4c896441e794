// A read-only XML document (libxml2 DOM) with lookups by local name: the parsing shell shared
// by the S3 responses (xml.hpp) and the STS responses (sts.hpp). libxml2 types stay inside.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::s3::xml {

// An element of a parsed document; a null node (operator bool false) for "not there".
class Node {
 public:
  Node() = default;
  explicit Node(const void* element) : element_(element) {}

  explicit operator bool() const { return element_ != nullptr; }
  // The local name (namespace prefix and URI ignored: S3 puts results in its 2006-03-01
  // namespace, <Error> in none).
  std::string_view name() const;
  // The first child element with this local name, or a null node.
  Node child(std::string_view local_name) const;
  // Every child element with this local name, in document order.
  std::vector<Node> children(std::string_view local_name) const;
  // The concatenated text content (entities decoded); "" for a null node.
  std::string text() const;
  // text() of child(local_name); "" if absent.
  std::string child_text(std::string_view local_name) const;

 private:
  const void* element_ = nullptr;
};

class Document {
 public:
  // Parses `text` strictly: no network, no entity expansion (no XXE), no DTD loading, nothing
  // printed. nullopt for malformed or truncated input.
  static std::optional<Document> parse(std::string_view text);

  Node root() const;

 private:
  struct Free {
    void operator()(void* doc) const;
  };
  std::unique_ptr<void, Free> doc_;
};

// "&<>\"'" escaped as XML entities (for element text and attribute values).
std::string escape(std::string_view text);

}  // namespace ks3::s3::xml
