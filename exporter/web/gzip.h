#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace halfopen {

/// True when an `Accept-Encoding` header value lets the response be gzipped:
/// `gzip` (or `*`) listed with a q-value above 0. Names are case-insensitive.
bool AcceptsGzip(std::string_view accept_encoding);

/// `text` compressed in the gzip format (RFC 1952) into *out.
Status Gzip(std::string_view text, std::string* out);

}  // namespace halfopen
