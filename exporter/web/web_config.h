#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/status.h"

namespace halfopen {

/// `tls_server_config` of an exporter-toolkit web configuration file. Paths
/// are resolved against the file's folder.
struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  /// NoClientCert, RequestClientCert, RequireAnyClientCert,
  /// VerifyClientCertIfGiven or RequireAndVerifyClientCert.
  std::string client_auth_type = "NoClientCert";
  std::string client_ca_file;
  std::string min_version = "TLS12";  ///< TLS10 … TLS13
  std::string max_version;            ///< "" means the newest.
  /// Where each key was written, "file:line", for messages about its value.
  std::map<std::string, std::string> where;
};

/// The supported subset of exporter-toolkit's web configuration
/// (docs/web-configuration.md there): TLS and basic auth.
struct WebConfig {
  std::optional<TlsServerConfig> tls;
  /// User name → bcrypt hash ($2a$, $2b$ or $2y$).
  std::map<std::string, std::string> users;
};

/// Reads and checks the file. Errors are one line naming the file and the
/// line: `/etc/web.yml:3: unknown key "certfile" in tls_server_config`.
/// Keys that exporter-toolkit knows but this exporter does not implement
/// are refused too, rather than silently ignored.
Status LoadWebConfig(const std::string& path, WebConfig* out);

/// Parses `text` as if read from `path` (used in messages and to resolve
/// relative paths).
Status ParseWebConfig(const std::string& text, const std::string& path,
                      WebConfig* out);

}  // namespace halfopen
