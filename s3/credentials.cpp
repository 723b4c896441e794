#include "s3/credentials.hpp"

namespace ks3::s3 {

std::string redacted(const Credentials& credentials) {
  const std::string& id = credentials.access_key_id;
  std::string out;
  if (id.empty()) {
    out = "(no access key id)";
  } else if (id.size() <= 8) {
    out = "****";
  } else {
    out = id.substr(0, 4) + "..." + id.substr(id.size() - 4);
  }
  out += credentials.secret_access_key.empty() ? " (no secret)" : " (secret set)";
  if (!credentials.session_token.empty()) out += " (session token set)";
  return out;
}

}  // namespace ks3::s3
