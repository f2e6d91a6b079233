#!/usr/bin/env python3
"""A small ML model API instrumented with the OpenTelemetry SDK instead of prometheus_client.

It pushes its metrics over OTLP/HTTP (protobuf) to Vigil's OTLP receiver, as an
OpenTelemetry-instrumented FastAPI or Flask service does:
  http.server.requests        counter   {route, status}           -> http_server_requests_total
  model.predictions           counter   {species}                 -> model_predictions_total
  model.inference.duration    histogram in ms                     -> model_inference_duration_milliseconds_*
  http.server.active_requests up-down counter                     -> http_server_active_requests
  process.memory.usage        observable gauge in By              -> process_memory_usage_bytes
  model.confidence            observable gauge in 1 (a ratio)     -> model_confidence_ratio
The resource (service.name iris-api in namespace ml, service.instance.id, deployment.environment,
model.version) becomes job="ml/iris-api", instance=..., and target_info.

Endpoints:
  POST /predict?ms=D   one prediction; D (optional) is the inference time recorded, in ms

Environment: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (default http://localhost:9090/api/v1/otlp/v1/metrics),
OTEL_METRIC_EXPORT_INTERVAL (ms, default 15000), OTEL_EXPORTER_OTLP_COMPRESSION (gzip or none),
OTEL_SERVICE_INSTANCE_ID (default iris-api-0).

Usage: otel_model_api.py --port 8000   (needs opentelemetry-sdk and opentelemetry-exporter-otlp-proto-http)
"""
import argparse
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.metrics import Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

SPECIES = ["setosa", "versicolor", "virginica"]
state = {"predictions": 0, "confidence": 0.9}
lock = threading.Lock()


def build_meter():
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://localhost:9090/api/v1/otlp/v1/metrics")
    interval = int(os.environ.get("OTEL_METRIC_EXPORT_INTERVAL", "15000"))
    gzip = os.environ.get("OTEL_EXPORTER_OTLP_COMPRESSION", "none") == "gzip"
    exporter = OTLPMetricExporter(endpoint=endpoint, compression=Compression.Gzip if gzip else Compression.NoCompression)
    resource = Resource.create({
        "service.name": "iris-api",
        "service.namespace": "ml",
        "service.instance.id": os.environ.get("OTEL_SERVICE_INSTANCE_ID", "iris-api-0"),
        "deployment.environment": "test",
        "model.version": "3",
    })
    provider = MeterProvider(resource=resource,
                             metric_readers=[PeriodicExportingMetricReader(exporter, export_interval_millis=interval)])
    return provider, provider.get_meter("iris-api", "1.0")


provider, meter = build_meter()
REQUESTS = meter.create_counter("http.server.requests", unit="{request}", description="Requests handled")
PREDICTIONS = meter.create_counter("model.predictions", unit="{prediction}", description="Predictions per class")
DURATION = meter.create_histogram("model.inference.duration", unit="ms", description="Inference time")
ACTIVE = meter.create_up_down_counter("http.server.active_requests", unit="{request}", description="Requests in flight")
meter.create_observable_gauge("process.memory.usage", unit="By", description="Resident memory",
                              callbacks=[lambda options: [Observation(123456789)]])
meter.create_observable_gauge("model.confidence", unit="1", description="Mean confidence of recent predictions",
                              callbacks=[lambda options: [Observation(state["confidence"])]])


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        url = urlparse(self.path)
        if url.path != "/predict":
            REQUESTS.add(1, {"http.route": url.path, "http.response.status_code": 404})
            self.send_response(404)
            self.end_headers()
            return
        ACTIVE.add(1)
        started = time.monotonic()
        with lock:
            species = SPECIES[state["predictions"] % len(SPECIES)]
            state["predictions"] += 1
        params = parse_qs(url.query)
        elapsed_ms = float(params["ms"][0]) if "ms" in params else (time.monotonic() - started) * 1000
        PREDICTIONS.add(1, {"species": species})
        DURATION.record(elapsed_ms)
        REQUESTS.add(1, {"http.route": "/predict", "http.response.status_code": 200})
        ACTIVE.add(-1)
        body = ('{"species": "%s"}' % species).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    try:
        server.serve_forever()
    finally:
        provider.shutdown()


if __name__ == "__main__":
    main()
