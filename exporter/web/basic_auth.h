#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace halfopen {

/// Checks `Authorization: Basic …` headers against bcrypt hashes with the
/// system's crypt library (libxcrypt). A bcrypt check costs tens of
/// milliseconds of CPU by design, so a verified password is remembered (as
/// a salted SHA-256, never in clear) and a scraper that keeps sending it is
/// checked by one hash, not one bcrypt per scrape. bcrypt checks run one at
/// a time, so failed guesses cost at most one core. Thread-safe.
class BasicAuth {
 public:
  /// `users`: user name → bcrypt hash, already validated.
  explicit BasicAuth(std::map<std::string, std::string> users);

  /// True when the header carries a known user and that user's password.
  bool Allows(std::string_view authorization_header);

 private:
  using Digest = std::array<unsigned char, 32>;

  Digest DigestOf(std::string_view user, std::string_view password) const;
  bool Bcrypt(const std::string& hash, const std::string& password);

  const std::map<std::string, std::string> users_;
  std::array<unsigned char, 32> salt_;
  std::mutex cache_mu_;
  std::map<std::string, Digest> verified_;  // By user: the last good one.
  std::mutex bcrypt_mu_;
};

/// Decodes standard base64 (with padding); false on anything else.
bool DecodeBase64(std::string_view text, std::string* out);

}  // namespace halfopen
