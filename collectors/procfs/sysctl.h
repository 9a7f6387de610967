#pragma once

#include <optional>
#include <string>

#include "collectors/base/status.h"
#include "collectors/model/kernel_settings.h"
#include "collectors/sources/procfs_reader.h"

namespace halfopen {

/// Reads one integer sysctl file below the procfs root (e.g.
/// "sys/net/ipv4/tcp_retries2"). An absent file (a kernel without that
/// setting) leaves *value empty and is not an error; unreadable or
/// non-numeric content is, naming the file.
Status ReadSysctl(const ProcfsReader& reader, const std::string& path,
                  std::optional<double>* value);

/// The settings the suspicion model needs, from the namespace's sysctls;
/// absent ones keep the kernel defaults of KernelSettings.
Status ReadKernelSettings(const ProcfsReader& reader, KernelSettings* settings);

}  // namespace halfopen
