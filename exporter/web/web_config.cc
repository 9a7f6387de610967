#include "web/web_config.h"

#include <crypt.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <regex>
#include <set>

namespace halfopen {
namespace {

const std::set<std::string> kClientAuthTypes = {
    "NoClientCert", "RequestClientCert", "RequireAnyClientCert",
    "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"};
const std::set<std::string> kVersions = {"TLS10", "TLS11", "TLS12", "TLS13"};
// exporter-toolkit keys that this exporter refuses rather than ignores.
const std::set<std::string> kUnsupported = {"http_server_config",
                                            "cert",
                                            "key",
                                            "client_ca",
                                            "cipher_suites",
                                            "curve_preferences",
                                            "prefer_server_cipher_suites",
                                            "client_allowed_sans"};

class Parser {
 public:
  explicit Parser(std::string path) : path_(std::move(path)) {
    const auto slash = path_.rfind('/');
    dir_ = slash == std::string::npos ? "" : path_.substr(0, slash + 1);
  }

  Status Parse(const std::string& text, WebConfig* out) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      return Error(e.mark, e.msg);
    }
    if (root.IsNull()) return Status::Ok();
    if (!root.IsMap()) return Error(root.Mark(), "want a mapping of keys");
    for (const auto& item : root) {
      const std::string key = item.first.Scalar();
      Status status;
      if (key == "tls_server_config") {
        status = ParseTls(item.first, item.second, out);
      } else if (key == "basic_auth_users") {
        status = ParseUsers(item.second, out);
      } else {
        status = BadKey(item.first, "");
      }
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }

 private:
  Status Error(const YAML::Mark& mark, const std::string& problem) const {
    return Status::Error(Where(mark) + ": " + problem);
  }
  std::string Where(const YAML::Mark& mark) const {
    return path_ + ":" + std::to_string(mark.line + 1);
  }
  Status BadKey(const YAML::Node& key, const std::string& section) const {
    const std::string name = key.Scalar();
    const std::string in = section.empty() ? "" : " in " + section;
    if (kUnsupported.count(name)) {
      return Error(key.Mark(), "\"" + name + "\"" + in +
                                   " is not supported by halfopen_exporter");
    }
    return Error(key.Mark(), "unknown key \"" + name + "\"" + in);
  }
  Status Scalar(const YAML::Node& key, const YAML::Node& value,
                std::string* out) const {
    if (!value.IsScalar()) {
      return Error(value.IsNull() ? key.Mark() : value.Mark(),
                   "want a string for \"" + key.Scalar() + "\"");
    }
    *out = value.Scalar();
    return Status::Ok();
  }
  std::string Resolve(const std::string& file) const {
    return file.empty() || file[0] == '/' ? file : dir_ + file;
  }

  Status ParseTls(const YAML::Node& key, const YAML::Node& node,
                  WebConfig* out) {
    TlsServerConfig tls;
    if (!node.IsMap()) return Error(key.Mark(), "want a mapping");
    for (const auto& item : node) {
      const std::string name = item.first.Scalar();
      std::string* target = name == "cert_file"          ? &tls.cert_file
                            : name == "key_file"         ? &tls.key_file
                            : name == "client_auth_type" ? &tls.client_auth_type
                            : name == "client_ca_file"   ? &tls.client_ca_file
                            : name == "min_version"      ? &tls.min_version
                            : name == "max_version"      ? &tls.max_version
                                                         : nullptr;
      if (target == nullptr) return BadKey(item.first, "tls_server_config");
      Status status = Scalar(item.first, item.second, target);
      if (!status.ok()) return status;
      tls.where[name] = Where(item.first.Mark());
    }
    Status status = CheckTls(key.Mark(), &tls);
    if (status.ok()) out->tls = std::move(tls);
    return status;
  }

  Status CheckTls(const YAML::Mark& mark, TlsServerConfig* tls) const {
    if (tls->cert_file.empty() || tls->key_file.empty()) {
      return Error(mark, "tls_server_config needs cert_file and key_file");
    }
    if (!kClientAuthTypes.count(tls->client_auth_type)) {
      return Status::Error(tls->where["client_auth_type"] +
                           ": unknown client_auth_type \"" +
                           tls->client_auth_type + "\"");
    }
    for (const char* key : {"min_version", "max_version"}) {
      const std::string& value = key == std::string("min_version")
                                     ? tls->min_version
                                     : tls->max_version;
      if (!value.empty() && !kVersions.count(value)) {
        return Status::Error(tls->where[key] + ": unknown " + key + " \"" +
                             value + "\": want TLS10, TLS11, TLS12 or TLS13");
      }
    }
    const bool verifies =
        tls->client_auth_type.find("Verify") != std::string::npos;
    if (verifies && tls->client_ca_file.empty()) {
      return Status::Error(tls->where["client_auth_type"] + ": " +
                           tls->client_auth_type + " needs client_ca_file");
    }
    if (!tls->client_ca_file.empty() &&
        tls->client_auth_type == "NoClientCert") {
      return Status::Error(tls->where["client_ca_file"] +
                           ": client_ca_file is set but client_auth_type is "
                           "NoClientCert");
    }
    tls->cert_file = Resolve(tls->cert_file);
    tls->key_file = Resolve(tls->key_file);
    tls->client_ca_file = Resolve(tls->client_ca_file);
    return Status::Ok();
  }

  Status ParseUsers(const YAML::Node& node, WebConfig* out) const {
    if (node.IsNull()) return Status::Ok();
    if (!node.IsMap()) return Error(node.Mark(), "want user: bcrypt-hash");
    static const std::regex bcrypt(
        R"(\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53})");
    for (const auto& item : node) {
      std::string hash;
      Status status = Scalar(item.first, item.second, &hash);
      if (!status.ok()) return status;
      if (!std::regex_match(hash, bcrypt) ||
          crypt_checksalt(hash.c_str()) != CRYPT_SALT_OK) {
        return Error(item.second.Mark(),
                     "the password of \"" + item.first.Scalar() +
                         "\" is not a bcrypt hash ($2a$, $2b$ or $2y$, cost "
                         "4 to 31)");
      }
      out->users[item.first.Scalar()] = hash;
    }
    return Status::Ok();
  }

  std::string path_;
  std::string dir_;
};

}  // namespace

Status ParseWebConfig(const std::string& text, const std::string& path,
                      WebConfig* out) {
  *out = WebConfig();
  return Parser(path).Parse(text, out);
}

Status LoadWebConfig(const std::string& path, WebConfig* out) {
  FILE* file = std::fopen(path.c_str(), "r");
  std::string text;
  char buffer[4096];
  std::size_t n = 0;
  while (file != nullptr && (n = std::fread(buffer, 1, sizeof buffer, file))) {
    text.append(buffer, n);
  }
  const int error = file == nullptr || std::ferror(file) ? errno : 0;
  if (file != nullptr) std::fclose(file);
  if (error != 0) {
    return Status::Error(
        path + ": cannot read the web config file: " + std::strerror(error));
  }
  return ParseWebConfig(text, path, out);
}

}  // namespace halfopen
