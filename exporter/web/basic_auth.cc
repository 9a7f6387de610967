#include "web/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>

namespace halfopen {
namespace {

// A valid hash no password matches in practice, checked for unknown users
// so that they take as long as known ones.
constexpr char kUnknownUserHash[] =
    "$2b$10$cKqezZHvnVfIHHdlWNXQY.v1VP52CFzD4ZqW8rx3vJ5//iEwrUmj2";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool DecodeBase64(std::string_view text, std::string* out) {
  out->clear();
  if (text.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int values[4];
    int padding = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      const bool last_group = i + 4 == text.size();
      if (c == '=' && last_group && j >= 2) {
        ++padding;
        values[j] = 0;
        continue;
      }
      values[j] = padding > 0 ? -1 : Base64Value(c);
      if (values[j] < 0) return false;
    }
    const unsigned bits =
        (values[0] << 18) | (values[1] << 12) | (values[2] << 6) | values[3];
    *out += static_cast<char>((bits >> 16) & 0xff);
    if (padding < 2) *out += static_cast<char>((bits >> 8) & 0xff);
    if (padding < 1) *out += static_cast<char>(bits & 0xff);
  }
  return true;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users)
    : users_(std::move(users)) {
  RAND_bytes(salt_.data(), static_cast<int>(salt_.size()));
}

BasicAuth::Digest BasicAuth::DigestOf(std::string_view user,
                                      std::string_view password) const {
  Digest digest{};
  std::string input(reinterpret_cast<const char*>(salt_.data()), salt_.size());
  input += user;
  input += '\0';
  input += password;
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha256(),
             nullptr);
  OPENSSL_cleanse(input.data(), input.size());
  return digest;
}

bool BasicAuth::Bcrypt(const std::string& hash, const std::string& password) {
  std::lock_guard<std::mutex> lock(bcrypt_mu_);
  auto data = std::make_unique<crypt_data>();  // 32 KiB: not on the stack.
  const char* result =
      crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof *data);
  const bool match = result != nullptr && std::strlen(result) == hash.size() &&
                     CRYPTO_memcmp(result, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof *data);
  return match;
}

bool BasicAuth::Allows(std::string_view header) {
  constexpr std::string_view kScheme = "Basic ";
  std::string credentials;
  if (header.size() <= kScheme.size() ||
      header.substr(0, kScheme.size()) != kScheme ||
      !DecodeBase64(header.substr(kScheme.size()), &credentials)) {
    return false;
  }
  const auto colon = credentials.find(':');
  if (colon == std::string::npos) return false;
  const std::string user = credentials.substr(0, colon);
  const std::string password = credentials.substr(colon + 1);
  OPENSSL_cleanse(credentials.data(), credentials.size());
  const auto known = users_.find(user);
  const Digest digest = DigestOf(user, password);
  if (known != users_.end()) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    const auto cached = verified_.find(user);
    if (cached != verified_.end() &&
        CRYPTO_memcmp(cached->second.data(), digest.data(), digest.size()) ==
            0) {
      return true;
    }
  }
  const bool ok = Bcrypt(
      known == users_.end() ? kUnknownUserHash : known->second, password);
  if (ok && known != users_.end()) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    verified_[user] = digest;
    return true;
  }
  return false;
}

}  // namespace halfopen
