#!/usr/bin/python3
"""Writes the Grafana dashboards of halfopen_exporter from the panel lists
below, so that every panel follows the same conventions (datasource chosen by
the $datasource variable, $job and $instance filters, no datasource UIDs):

    dashboards/generate.py            # rewrites the .json files here
    dashboards/generate.py --check    # exits 1 if they are out of date
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
SEL = 'job="$job",instance=~"$instance",netns=~"$netns"'
# Per-listener panels also filter on the chosen ports.
LSEL = SEL + ',port=~"$port"'
# Hosts that export many listeners show only the fullest ones.
TOP = 20
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def templating():
    def query_variable(name, label, query, all_value=None):
        return {
            "name": name, "label": label, "type": "query",
            "datasource": DATASOURCE,
            "query": {"query": query, "refId": name},
            "definition": query, "refresh": 2, "sort": 1,
            "includeAll": all_value is not None,
            "multi": all_value is not None,
            "allValue": all_value,
            "current": {},
        }
    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource",
         "query": "prometheus", "current": {}, "hide": 0},
        query_variable("job", "Job", "label_values(halfopen_build_info, job)"),
        query_variable("instance", "Instance",
                       'label_values(halfopen_build_info{job="$job"}, instance)',
                       ".+"),
        # With --netns.scope=own series have no netns label: ".*" matches
        # that too.
        query_variable("netns", "Network namespace",
                       'label_values(halfopen_netns_info{job="$job",'
                       'instance=~"$instance"}, netns)', ".*"),
        query_variable("port", "Listener port",
                       'label_values(halfopen_listen_sockets{job="$job",'
                       'instance=~"$instance",netns=~"$netns"}, port)', ".*"),
    ]}


def panel(title, kind, targets, x, y, w=12, h=8, unit=None, description="",
          table=False, instant=False):
    panel = {
        "title": title, "type": kind, "description": description,
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": DATASOURCE,
             "expr": expr, "legendFormat": legend,
             "instant": table or instant, "range": not (table or instant),
             "format": "table" if table else "time_series"}
            for i, (expr, legend) in enumerate(targets)],
        "fieldConfig": {"defaults": {"unit": unit} if unit else {},
                        "overrides": []},
        "options": {},
    }
    if table:
        panel["transformations"] = [
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {
                "excludeByName": {"Time": True, "__name__": True, "job": True},
                "renameByName": {"Value #A": "score",
                                 "Value #B": "kernel gives up in (s)"}}}]
    return panel


OVERVIEW = [
    panel("Accept-queue overflows", "timeseries",
          [(f"rate(halfopen_netstat_listen_overflows_total{{{SEL}}}[$__rate_interval])",
            "{{instance}} overflows"),
           (f"rate(halfopen_netstat_listen_drops_total{{{SEL}}}[$__rate_interval])",
            "{{instance}} drops")],
          0, 0, unit="ops",
          description="Handshakes dropped because a listener's accept queue was "
                      "full (ListenOverflows), and all listener drops."),
    panel("SYN queue", "timeseries",
          [(f"rate(halfopen_netstat_tcp_req_q_full_drop_total{{{SEL}}}[$__rate_interval])",
            "{{instance}} SYN dropped"),
           (f"rate(halfopen_netstat_tcp_req_q_full_do_cookies_total{{{SEL}}}[$__rate_interval])",
            "{{instance}} queue full, cookie"),
           (f"rate(halfopen_netstat_syncookies_sent_total{{{SEL}}}[$__rate_interval])",
            "{{instance}} cookies sent")],
          12, 0, unit="ops"),
    panel("Listeners at risk (queue fill)", "bargauge",
          [(f"topk(10, halfopen_listen_queue_max_fill_ratio{{{LSEL}}})",
            "{{instance}} {{netns}} {{address}}:{{port}}")],
          0, 8, unit="percentunit",
          description="The fullest socket of each listener (an SO_REUSEPORT "
                      "group has several): accept-queue length over what it "
                      "holds (limit + 1). At 100% it is full and handshakes "
                      "are dropped."),
    panel("Half-open suspects by reason", "timeseries",
          [(f"sum by (instance, reason) (halfopen_suspects{{{SEL}}})",
            "{{instance}} {{reason}}")],
          12, 8),
    panel("Orphaned handshakes", "timeseries",
          [(f"sum by (instance) (halfopen_listen_orphaned_handshakes{{{SEL}}})"
            f" or 0 * sum by (instance) (halfopen_build_info{{{SEL}}})",
            "{{instance}}")],
          0, 16,
          description="SYN_RECV handshakes retransmitted on a full listener: "
                      "their clients believe they are connected."),
    panel("Exporter health", "timeseries",
          [(f'up{{{SEL}}}', "{{instance}} up"),
           (f"min by (instance) (halfopen_scrape_collector_success{{{SEL}}})",
            "{{instance}} all collectors ok")],
          12, 16),
]

DETAIL = [
    panel("Accept-queue fill per listener", "timeseries",
          [(f"topk({TOP}, halfopen_listen_queue_max_fill_ratio{{{LSEL}}})",
            "{{instance}} {{netns}} {{address}}:{{port}}")],
          0, 0, unit="percentunit",
          description="The fullest socket of each listener: length over what "
                      "it holds (limit + 1); 100% is full."),
    panel("Accept-queue length and limit", "timeseries",
          [(f"topk({TOP}, halfopen_listen_queue_length{{{LSEL}}})",
            "{{instance}} {{netns}} {{address}}:{{port}} length"),
           (f"halfopen_listen_queue_limit{{{LSEL}}} and on (instance, netns, "
            f"family, address, port) topk({TOP}, "
            f"halfopen_listen_queue_length{{{LSEL}}})",
            "{{instance}} {{netns}} {{address}}:{{port}} limit")],
          12, 0),
    panel("Drops by listener", "timeseries",
          [(f"topk({TOP}, sum by (instance, netns, family, address, port) ("
            f"increase(halfopen_listen_drops_total{{{LSEL}}}"
            f"[$__rate_interval])))",
            "{{instance}} {{netns}} {{address}}:{{port}}")],
          0, 8, w=8,
          description="Connection attempts each listener dropped, counted "
                      "exactly by the kernel for that listener (sk_drops): "
                      "a full accept queue, or a full SYN queue without "
                      "cookies. Beside 'Time full between scrapes': drops "
                      "while the accept queue was full are accept-queue "
                      "overflows; drops with the queue never full are the "
                      "SYN queue's (see the overview's SYN-queue panel)."),
    panel("Time full between scrapes", "timeseries",
          [(f"topk({TOP}, rate(halfopen_listen_queue_full_seconds_total"
            f"{{{LSEL}}}[$__rate_interval]))",
            "{{instance}} {{netns}} {{address}}:{{port}}")],
          8, 8, w=8, unit="percentunit",
          description="The share of time the sampler saw a socket of the "
                      "listener with a full accept queue, bursts between "
                      "scrapes included."),
    panel("Peak queue length (sampled)", "timeseries",
          [(f"topk({TOP}, halfopen_listen_queue_peak_length{{{LSEL}}})",
            "{{instance}} {{netns}} {{address}}:{{port}} peak"),
           (f"halfopen_listen_queue_limit{{{LSEL}}} and on (instance, netns, "
            f"family, address, port) topk({TOP}, "
            f"halfopen_listen_queue_peak_length{{{LSEL}}})",
            "{{instance}} {{netns}} {{address}}:{{port}} limit")],
          16, 8, w=8,
          description="The highest accept-queue length the sampler saw over "
                      "its peak window; above the limit means full."),
    panel("SYN_RECV per listener", "timeseries",
          [(f"topk({TOP}, halfopen_listen_syn_recv{{{LSEL}}})",
            "{{instance}} {{netns}} {{address}}:{{port}} syn_recv"),
           (f"topk({TOP}, halfopen_listen_syn_recv_retransmitting{{{LSEL}}})",
            "{{instance}} {{netns}} {{address}}:{{port}} retransmitting")],
          0, 16),
    panel("Connections by state", "timeseries",
          [(f"sum by (instance, state) (halfopen_tcp_connections{{{SEL}}})",
            "{{instance}} {{state}}")], 12, 16),
    panel("Top suspects", "table",
          [(f"halfopen_suspect_score{{{SEL}}}", ""),
           (f"halfopen_suspect_giveup_eta_seconds{{{SEL}}}", "")],
          0, 24, w=24, table=True,
          description="The top-K connections most probably half-open: reason, "
                      "score and how long until the kernel gives up."),
    panel("Idle connections without keepalive", "timeseries",
          [(f"halfopen_idle_unprotected_connections{{{SEL}}}", "{{instance}}")],
          0, 32),
    panel("Kernel give-up times", "stat",
          [(f"halfopen_kernel_retransmit_giveup_seconds{{{SEL}}}",
            "{{instance}} {{netns}} retransmit"),
           (f"halfopen_kernel_keepalive_giveup_seconds{{{SEL}}}",
            "{{instance}} {{netns}} keepalive"),
           (f"halfopen_kernel_synack_giveup_seconds{{{SEL}}}",
            "{{instance}} {{netns}} SYN-ACK"),
           (f"halfopen_kernel_syn_giveup_seconds{{{SEL}}}",
            "{{instance}} {{netns}} SYN")],
          12, 32, unit="s"),
    panel("Kernel settings", "stat",
          [(f"halfopen_kernel_tcp_retries2{{{SEL}}}",
            "{{instance}} {{netns}} tcp_retries2"),
           (f"halfopen_kernel_tcp_keepalive_time_seconds{{{SEL}}}",
            "{{instance}} {{netns}} keepalive_time"),
           (f"halfopen_kernel_tcp_abort_on_overflow{{{SEL}}}",
            "{{instance}} {{netns}} abort_on_overflow"),
           (f"halfopen_kernel_tcp_syncookies{{{SEL}}}",
            "{{instance}} {{netns}} syncookies"),
           (f"halfopen_kernel_somaxconn{{{SEL}}}",
            "{{instance}} {{netns}} somaxconn")],
          0, 40, w=24),
    {"title": "Unix-domain listeners", "type": "row", "collapsed": False,
     "gridPos": {"x": 0, "y": 48, "w": 24, "h": 1}, "panels": []},
    panel("Unix listener queue fill", "timeseries",
          [(f"topk({TOP}, halfopen_unix_listen_queue_max_fill_ratio{{{SEL}}})",
            "{{instance}} {{netns}} {{path}}")],
          0, 49, w=8, unit="percentunit",
          description="The fullest socket on each Unix-domain path (php-fpm, "
                      "gunicorn, uwsgi …): pending connections over what it "
                      "holds (backlog + 1). At 100% every connect() fails "
                      "with EAGAIN (nginx answers 502) or waits; the kernel "
                      "counts none of it."),
    panel("Unix listener queue length and backlog", "timeseries",
          [(f"topk({TOP}, halfopen_unix_listen_queue_length{{{SEL}}})",
            "{{instance}} {{netns}} {{path}} length"),
           (f"halfopen_unix_listen_queue_limit{{{SEL}}} and on (instance, "
            f"netns, path, type) topk({TOP}, "
            f"halfopen_unix_listen_queue_length{{{SEL}}})",
            "{{instance}} {{netns}} {{path}} backlog")],
          8, 49, w=8,
          description="ss -xl's Recv-Q and Send-Q of each Unix listener."),
    panel("Unix listeners: time full between scrapes", "timeseries",
          [(f"topk({TOP}, rate(halfopen_unix_listen_queue_full_seconds_total"
            f"{{{SEL}}}[$__rate_interval]))",
            "{{instance}} {{netns}} {{path}}")],
          16, 49, w=8, unit="percentunit",
          description="The share of time the listener sampler saw the Unix "
                      "listener full, bursts between scrapes included."),
]


def dashboard(uid, title, panels):
    for i, p in enumerate(panels):
        p["id"] = i + 1
    return {
        "uid": uid, "title": title, "tags": ["halfopen", "tcp"],
        "schemaVersion": 39, "version": 1, "editable": True,
        "time": {"from": "now-1h", "to": "now"}, "refresh": "30s",
        "timezone": "", "templating": templating(), "panels": panels,
        "annotations": {"list": []},
        # Each dashboard links to the other, keeping the time and variables.
        "links": [{"title": "halfopen", "type": "dashboards",
                   "tags": ["halfopen"], "asDropdown": False,
                   "includeVars": True, "keepTime": True}],
    }


def render():
    return {
        "halfopen-overview.json": dashboard(
            "halfopen-overview", "halfopen / overview", OVERVIEW),
        "halfopen-detail.json": dashboard(
            "halfopen-detail", "halfopen / detail", DETAIL),
    }


def main():
    stale = []
    for name, content in render().items():
        text = json.dumps(content, indent=2, sort_keys=True) + "\n"
        path = HERE / name
        if "--check" in sys.argv:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    for name in stale:
        print(f"dashboards/{name} is out of date: run dashboards/generate.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
