#include "status/landing_page.h"

#include "status/html.h"

namespace halfopen {

std::string RenderLandingPage(const std::string& version,
                              const std::string& telemetry_path,
                              const std::vector<std::string>& collectors) {
  std::string items;
  for (const auto& name : collectors) {
    items += "<li>" + EscapeHtml(name) + "</li>\n";
  }
  const std::string path = EscapeHtml(telemetry_path);
  return "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\">"
         "<title>halfopen_exporter</title></head>\n<body>\n"
         "<h1>halfopen_exporter</h1>\n<p>Version " +
         EscapeHtml(version) +
         ". Accept-queue overflow and half-open TCP connection metrics.</p>\n"
         "<p><a href=\"" +
         path + "\">" + path +
         "</a></p>\n<p><a href=\"/status\">Status</a>: the listeners, "
         "suspects, kernel settings and collectors of a collection, for a "
         "person; refreshes itself.</p>\n<p><a href=\"/runbook\">Runbook</a>: "
         "what each alert means and what to do.</p>\n<h2>Enabled "
         "collectors</h2>\n<ul>\n" +
         items + "</ul>\n</body>\n</html>\n";
}

}  // namespace halfopen
