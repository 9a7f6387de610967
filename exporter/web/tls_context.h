#pragma once

#include "base/status.h"
#include "web/web_config.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace halfopen {

/// An OpenSSL server context for `config`: certificate chain and key,
/// protocol versions, and the client-certificate policy. Errors name the
/// config line of the file that could not be used. On success the caller
/// owns *out (SSL_CTX_free).
Status MakeTlsContext(const TlsServerConfig& config, SSL_CTX** out);

}  // namespace halfopen
