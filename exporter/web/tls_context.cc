#include "web/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <map>

namespace halfopen {
namespace {

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

Status Problem(const TlsServerConfig& config, const std::string& key,
               const std::string& what) {
  const auto where = config.where.find(key);
  return Status::Error((where == config.where.end()
                            ? std::string("tls_server_config")
                            : where->second) +
                       ": " + what + ": " + OpenSslError());
}

int Version(const std::string& name) {
  static const std::map<std::string, int> versions = {
      {"TLS10", TLS1_VERSION},
      {"TLS11", TLS1_1_VERSION},
      {"TLS12", TLS1_2_VERSION},
      {"TLS13", TLS1_3_VERSION}};
  const auto found = versions.find(name);
  return found == versions.end() ? 0 : found->second;
}

// For the client-auth types that ask for a certificate without checking it.
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

Status SetClientAuth(const TlsServerConfig& config, SSL_CTX* context) {
  const std::string& type = config.client_auth_type;
  if (!config.client_ca_file.empty()) {
    STACK_OF(X509_NAME)* names =
        SSL_load_client_CA_file(config.client_ca_file.c_str());
    if (names == nullptr ||
        SSL_CTX_load_verify_locations(context, config.client_ca_file.c_str(),
                                      nullptr) != 1) {
      return Problem(config, "client_ca_file",
                     "cannot load " + config.client_ca_file);
    }
    SSL_CTX_set_client_CA_list(context, names);
  }
  const int require = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  if (type == "RequestClientCert") {
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, AcceptAnyCertificate);
  } else if (type == "RequireAnyClientCert") {
    SSL_CTX_set_verify(context, require, AcceptAnyCertificate);
  } else if (type == "VerifyClientCertIfGiven") {
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  } else if (type == "RequireAndVerifyClientCert") {
    SSL_CTX_set_verify(context, require, nullptr);
  } else {
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
  }
  return Status::Ok();
}

Status Configure(const TlsServerConfig& config, SSL_CTX* context) {
  if (SSL_CTX_use_certificate_chain_file(context, config.cert_file.c_str()) !=
      1) {
    return Problem(config, "cert_file", "cannot load " + config.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(context, config.key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(context) != 1) {
    return Problem(config, "key_file",
                   "cannot use " + config.key_file + " with the certificate");
  }
  if (SSL_CTX_set_min_proto_version(context, Version(config.min_version)) !=
          1 ||
      SSL_CTX_set_max_proto_version(context, Version(config.max_version)) !=
          1) {
    return Problem(config, "min_version", "cannot set the TLS versions");
  }
  static const unsigned char kSessionContext[] = "halfopen_exporter";
  SSL_CTX_set_session_id_context(context, kSessionContext,
                                 sizeof kSessionContext - 1);
  SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return SetClientAuth(config, context);
}

}  // namespace

Status MakeTlsContext(const TlsServerConfig& config, SSL_CTX** out) {
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) {
    return Status::Error("cannot create a TLS context: " + OpenSslError());
  }
  Status status = Configure(config, context);
  if (!status.ok()) {
    SSL_CTX_free(context);
    return status;
  }
  *out = context;
  return Status::Ok();
}

}  // namespace halfopen
