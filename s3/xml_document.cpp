#include "s3/xml_document.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <climits>

namespace ks3::s3::xml {
namespace {

const xmlNode* as_node(const void* p) {
  return static_cast<const xmlNode*>(p);
}

std::string_view local_name(const xmlNode* node) {
  return node->name ? std::string_view(reinterpret_cast<const char*>(node->name)) : "";
}

// libxml2 must be initialised once before use from several threads.
void init_once() {
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;
}

}  // namespace

std::string_view Node::name() const {
  return element_ ? local_name(as_node(element_)) : "";
}

Node Node::child(std::string_view wanted) const {
  if (!element_) return Node{};
  for (const xmlNode* c = as_node(element_)->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && local_name(c) == wanted) return Node{c};
  }
  return Node{};
}

std::vector<Node> Node::children(std::string_view wanted) const {
  std::vector<Node> out;
  if (!element_) return out;
  for (const xmlNode* c = as_node(element_)->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && local_name(c) == wanted) out.emplace_back(c);
  }
  return out;
}

std::string Node::text() const {
  if (!element_) return "";
  xmlChar* content = xmlNodeGetContent(as_node(element_));
  if (!content) return "";
  std::string out(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return out;
}

std::string Node::child_text(std::string_view wanted) const {
  return child(wanted).text();
}

std::optional<Document> Document::parse(std::string_view text) {
  init_once();
  if (text.empty() || text.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  // XML_PARSE_NONET: never fetch anything; no XML_PARSE_NOENT/DTDLOAD: entities are not
  // substituted from external sources; NOERROR/NOWARNING: libxml2 prints nothing to stderr.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  xmlDoc* doc = xmlReadMemory(text.data(), static_cast<int>(text.size()), "s3-response.xml",
                              nullptr, options);
  if (!doc) return std::nullopt;
  Document out;
  out.doc_.reset(doc);
  if (!xmlDocGetRootElement(doc)) return std::nullopt;
  return out;
}

Node Document::root() const {
  return Node{xmlDocGetRootElement(static_cast<xmlDoc*>(doc_.get()))};
}

void Document::Free::operator()(void* doc) const {
  xmlFreeDoc(static_cast<xmlDoc*>(doc));
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace ks3::s3::xml
