// Test helper for the Avro cores (tests/integration/test_avro_python.sh):
//   avro_tool write-container SCHEMA.avsc DATUMS.hex CODEC OBJECT_KEY OUT.avro [BLOCK_BYTES]
//       writes an object container file from hex-encoded datums (one per line)
//   avro_tool decode WRITER.avsc [READER.avsc] < DATUMS.hex
//       one JSON line per datum (the documented mapping), or "ERROR <kind>: <message>"
//   avro_tool unframe < RECORDS.hex      (each line: VALUE_HEX [HEADER_HEX])
//       "<schema ref> <payload hex>" or "ERROR <kind>: <message>"
//   avro_tool fetch URL [CA_FILE] REF...  (REF: an id or a GUID; user from KS3_REGISTRY_USER,
//       password from KS3_REGISTRY_PASSWORD)
//       per ref: "<ref> ok <fingerprint hex>" or "<ref> ERROR <kind>: <message>"; then
//       "requests <n>"
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "server/format/avro/container_writer.hpp"
#include "server/format/avro/decoder.hpp"
#include "server/format/avro/json_mapping.hpp"
#include "server/format/avro/registry_client.hpp"
#include "server/format/avro/wire_format.hpp"

namespace avro = ks3::avro;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::exit(2);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

std::string tohex(std::string_view bytes) {
  std::string out;
  char buf[3];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

std::shared_ptr<const avro::Schema> load_schema(const std::string& path) {
  auto s = avro::Schema::parse(read_file(path));
  if (!s) {
    std::cerr << path << ": " << s.error().describe() << "\n";
    std::exit(2);
  }
  return *s;
}

int write_container(int argc, char** argv) {
  if (argc < 7) return 2;
  std::string schema = read_file(argv[2]);
  std::istringstream lines(read_file(argv[3]));
  auto codec = avro::parse_codec(argv[4]);
  if (!codec) {
    std::cerr << codec.error().describe() << "\n";
    return 2;
  }
  avro::ContainerOptions options;
  options.codec = *codec;
  if (argc > 7) options.block_bytes = std::stoul(argv[7]);
  avro::ContainerWriter writer(schema, avro::derive_sync_marker(schema, argv[5]), options);
  std::string out;
  writer.write_header(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (auto r = writer.add(unhex(line), out); !r) {
      std::cerr << r.error().describe() << "\n";
      return 1;
    }
  }
  if (auto r = writer.flush(out); !r) {
    std::cerr << r.error().describe() << "\n";
    return 1;
  }
  std::ofstream(argv[6], std::ios::binary) << out;
  std::cout << writer.datum_count() << " datums, " << out.size() << " bytes\n";
  return 0;
}

int decode(int argc, char** argv) {
  if (argc < 3) return 2;
  auto writer = load_schema(argv[2]);
  std::shared_ptr<const avro::Schema> reader;
  if (argc > 3) reader = load_schema(argv[3]);
  auto decoder = avro::Decoder::create(writer, reader);
  if (!decoder) {
    std::cout << "ERROR " << decoder.error().describe() << "\n";
    return 1;
  }
  std::string line;
  avro::Value value;
  avro::Error error;
  while (std::getline(std::cin, line)) {
    if ((*decoder)->decode(unhex(line), value, error)) {
      std::cout << avro::to_json(value) << "\n";
    } else {
      std::cout << "ERROR " << error.describe() << "\n";
    }
  }
  return 0;
}

int unframe() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string value, header;
    words >> value >> header;
    std::string v = unhex(value), h = unhex(header);
    auto r = header.empty() ? avro::unframe(v) : avro::unframe(v, h);
    if (r) {
      std::cout << r->schema.describe() << " " << tohex(r->payload) << "\n";
    } else {
      std::cout << "ERROR " << r.error().describe() << "\n";
    }
  }
  return 0;
}

int fetch(int argc, char** argv) {
  if (argc < 4) return 2;
  avro::RegistryOptions options;
  options.url = argv[2];
  int first = 3;
  if (std::string(argv[3]).find(".pem") != std::string::npos) {
    options.ca_file = argv[3];
    first = 4;
  }
  if (const char* u = std::getenv("KS3_REGISTRY_USER")) options.username = u;
  if (const char* p = std::getenv("KS3_REGISTRY_PASSWORD")) options.password = p;
  boost::asio::io_context io;
  auto client = avro::RegistryClient::create(io.get_executor(), options);
  if (!client) {
    std::cout << "ERROR " << client.error().describe() << "\n";
    return 1;
  }
  std::vector<std::string> refs(argv + first, argv + argc);
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        for (const auto& text : refs) {
          avro::SchemaRef ref;
          if (text.size() == 36) {
            ref.kind = avro::SchemaRef::Kind::guid;
            std::string hex;
            for (char c : text) {
              if (c != '-') hex += c;
            }
            std::string bytes = unhex(hex);
            for (std::size_t i = 0; i < 16; ++i) ref.guid[i] = static_cast<std::uint8_t>(bytes[i]);
          } else {
            ref = avro::SchemaRef::from_id(std::stoi(text));
          }
          auto r = co_await (*client)->get(ref);
          if (r) {
            char fp[20];
            std::snprintf(fp, sizeof fp, "%016llx",
                          static_cast<unsigned long long>(r->schema->fingerprint()));
            std::cout << text << " ok " << fp << "\n";
          } else {
            std::cout << text << " ERROR " << r.error().describe() << "\n";
          }
        }
        std::cout << "requests " << (*client)->requests() << "\n";
      },
      boost::asio::detached);
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  int rc = 2;
  if (cmd == "write-container") rc = write_container(argc, argv);
  if (cmd == "decode") rc = decode(argc, argv);
  if (cmd == "unframe") rc = unframe();
  if (cmd == "fetch") rc = fetch(argc, argv);
  if (rc == 2) std::cerr << "usage: see tests/tools/avro/avro_tool.cpp\n";
  return rc;
}
