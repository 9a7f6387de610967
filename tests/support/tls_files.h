#pragma once

#include <string>

namespace halfopen::testing {

/// bcrypt (cost 4) of kPassword, for basic_auth_users in tests.
inline constexpr char kPasswordHash[] =
    "$2b$04$BxPkHJBkFCFFO8z6ckQOj.LsPvWuVTt8qH7zCXx8kTbk1KLmS35dK";
inline constexpr char kPassword[] = "s3cret";

/// A throw-away folder with a CA, a server certificate for 127.0.0.1 and a
/// client certificate, all made by the real `openssl` command, removed when
/// destroyed. Files: ca.crt, server.crt, server.key, client.crt, client.key,
/// and stranger.crt and stranger.key, self-signed.
class TlsFiles {
 public:
  TlsFiles();
  ~TlsFiles();
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;

  /// False when openssl failed; error() then says why.
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  std::string Path(const std::string& file) const { return dir_ + "/" + file; }

  /// Writes `text` to `file` in the folder and returns its path.
  std::string Write(const std::string& file, const std::string& text) const;

  /// Runs curl against https://127.0.0.1:`port``path` trusting ca.crt with
  /// `extra` arguments. Returns curl's exit code; *status gets the HTTP
  /// status (0 when none) and *body what was received.
  int Curl(int port, const std::string& path, const std::string& extra,
           int* status, std::string* body) const;

 private:
  std::string dir_;
  bool ok_ = false;
  std::string error_;
};

}  // namespace halfopen::testing
