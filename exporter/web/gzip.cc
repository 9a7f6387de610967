#include "web/gzip.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>

namespace halfopen {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text[0]))) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  return out;
}

// The q-value of one `coding;q=0.5` element (1 when it has none).
double QualityOf(std::string_view params) {
  while (!params.empty()) {
    const auto semicolon = params.find(';');
    const std::string_view param = Trim(params.substr(0, semicolon));
    if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') &&
        param[1] == '=') {
      return std::strtod(std::string(param.substr(2)).c_str(), nullptr);
    }
    if (semicolon == std::string_view::npos) break;
    params.remove_prefix(semicolon + 1);
  }
  return 1;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  double star = 0;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view element = accept_encoding.substr(0, comma);
    const auto semicolon = element.find(';');
    const std::string coding = Lower(Trim(element.substr(0, semicolon)));
    const double quality = semicolon == std::string_view::npos
                               ? 1
                               : QualityOf(element.substr(semicolon + 1));
    if (coding == "gzip") return quality > 0;
    if (coding == "*") star = quality;
    if (comma == std::string_view::npos) break;
    accept_encoding.remove_prefix(comma + 1);
  }
  return star > 0;
}

Status Gzip(std::string_view text, std::string* out) {
  z_stream stream{};
  // 15 window bits, +16 for a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Error("gzip: cannot initialise zlib");
  }
  out->resize(deflateBound(&stream, static_cast<uLong>(text.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out->data());
  stream.avail_out = static_cast<uInt>(out->size());
  const int result = deflate(&stream, Z_FINISH);
  out->resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return Status::Error("gzip: deflate failed");
  return Status::Ok();
}

}  // namespace halfopen
