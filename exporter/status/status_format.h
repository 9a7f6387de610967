#pragma once

#include <string>
#include <vector>

#include "status/status_model.h"

namespace halfopen {

/// How the human views write the status model's values, the same on the
/// page and in the shell. Plain text: the page escapes it.

/// A duration for a person: "16.6 s", "15 min 25 s", "2 h 11 min",
/// "3 d 4 h"; "never" for +Inf.
std::string FormatDuration(double seconds);

/// A count or measurement: whole numbers as such ("3", "1024"), others with
/// up to three decimals ("0.92", "924.6").
std::string FormatNumber(double value);

/// A ratio as a whole percentage, "100%".
std::string FormatPercent(double ratio);

/// Seconds since the epoch as "2026-11-22 01:37:23 UTC".
std::string FormatUtc(double unix_seconds);

/// Where a listener listens: "127.0.0.1:8080", "[::]:443", with "%eth0"
/// for a device; "other listeners (folded)" for port="other".
std::string ListenerEndpoint(const StatusListener& listener);

/// "nginx (412), nginx (413)".
std::string ProcessList(const std::vector<StatusProcess>& processes);

/// A namespace as a person knows it: its /run/netns name, else its pod,
/// else its first process, then its inode: "blue (4026532281)",
/// "pod 6f1c2a3b… (4026532410)", "systemd (4026531840)".
std::string NamespaceTitle(const StatusModel& model, const std::string& netns);

/// How long a suspect has been one: FormatDuration, marked "≥" when its
/// evidence reaches back to the model's first collection, before which
/// nothing was seen.
std::string FormatAge(const StatusModel& model, double age_seconds);

/// True when the sampler's columns have something to show.
bool AnyListenerSampled(const StatusModel& model);

/// True when some listener has its exact drops (the kernel gives them).
bool AnyListenerDrops(const StatusModel& model);

/// A listener's drops in the last minute: "12"; "12 in 5 s" when the
/// exporter has watched for less; "-" when it cannot tell yet.
std::string FormatRecentDrops(const StatusListener& listener);

/// A one-line meaning of a suspect reason ("" for an unknown one).
std::string ReasonMeaning(const std::string& reason);

/// A give-up time's name for a person: "retransmit_giveup_seconds" →
/// "data to a silent peer (tcp_retries2)".
std::string GiveupTitle(const std::string& name);

}  // namespace halfopen
