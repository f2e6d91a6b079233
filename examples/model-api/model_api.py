#!/usr/bin/env python3
"""A small stand-in for an ML model API, instrumented with the official prometheus_client.

It exposes what our users' Flask/FastAPI model services expose:
  python_request_operations_total        counter of processed requests
  python_iris_predictions_total{species} counter of predictions per predicted class
  python_request_errors_total            counter of failed requests
  python_processing_time_seconds         histogram of processing time
  python_model_info{version}             gauge, 1 for the loaded model
With --shape per-class, predictions are counted the other way teams write it, one counter per
class instead of one labelled counter, and processing time is a summary instead of a histogram:
  python_iris_setosa_predictions_total, python_iris_versicolor_predictions_total,
  python_iris_virginica_predictions_total
  python_processing_time_seconds         summary (_count and _sum) of processing time
(rules/alert.rules.yml turns those into one series with a `species` label, so every rule, alert
and dashboard reads both shapes.)

Endpoints:
  GET  /metrics              exposition (OpenMetrics or text, negotiated from Accept)
  POST /predict              one simulated prediction
  POST /admin/rate?value=R   background traffic: R predictions per second (0 stops it)
  POST /admin/errors?value=F fraction of simulated requests that fail

Usage: model_api.py --port 8000 [--rate 5] [--shape labelled|per-class] [--basic-auth user:password]
                    [--tls-cert C --tls-key K]
"""
import argparse
import base64
import random
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary
from prometheus_client.exposition import choose_encoder

REGISTRY = CollectorRegistry()
REQUESTS = Counter("python_request_operations", "The total number of processed requests", registry=REGISTRY)
ERRORS = Counter("python_request_errors", "The total number of failed requests", registry=REGISTRY)
PREDICTIONS = Counter("python_iris_predictions", "Predictions per predicted class", ["species"], registry=REGISTRY)
# The per-class shape, registered only with --shape per-class (see main).
PER_CLASS = {}
PROCESSING = Histogram("python_processing_time_seconds", "Time spent processing a request",
                       buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0), registry=REGISTRY)
MODEL = Gauge("python_model_info", "The loaded model", ["version"], registry=REGISTRY)
# What times a prediction: the histogram, or the summary of --shape per-class.
TIMER = [PROCESSING]
MODEL.labels(version="iris-1.0").set(1)

SPECIES = ["setosa", "versicolor", "virginica"]
state = {"rate": 0.0, "errors": 0.0, "auth": None}
lock = threading.Lock()


def predict():
    with TIMER[0].time():
        REQUESTS.inc()
        time.sleep(random.uniform(0.0, 0.002))
        with lock:
            failing = random.random() < state["errors"]
        if failing:
            ERRORS.inc()
            return None
        species = random.choice(SPECIES)
        if PER_CLASS:
            PER_CLASS[species].inc()
        else:
            PREDICTIONS.labels(species=species).inc()
        return species


def traffic():
    while True:
        with lock:
            rate = state["rate"]
        if rate <= 0:
            time.sleep(0.05)
            continue
        predict()
        time.sleep(1.0 / rate)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body, content_type="text/plain; charset=utf-8"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if urlparse(self.path).path != "/metrics":
            return self.reply(404, b"not found\n")
        if state["auth"] and self.headers.get("Authorization") != state["auth"]:
            return self.reply(401, b"unauthorized\n")
        encoder, content_type = choose_encoder(self.headers.get("Accept"))
        self.reply(200, encoder(REGISTRY), content_type)

    def do_POST(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/predict":
            species = predict()
            return self.reply(200 if species else 500, (species or "error").encode() + b"\n")
        if url.path in ("/admin/rate", "/admin/errors"):
            value = float(query.get("value", ["0"])[0])
            with lock:
                state["rate" if url.path == "/admin/rate" else "errors"] = value
            return self.reply(200, b"ok\n")
        self.reply(404, b"not found\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--shape", choices=["labelled", "per-class"], default="labelled",
                        help="one prediction counter with a species label, or one counter per class")
    parser.add_argument("--basic-auth", default="", help="user:password required on /metrics")
    parser.add_argument("--tls-cert", default="", help="serve HTTPS with this PEM certificate")
    parser.add_argument("--tls-key", default="", help="the certificate's PEM private key")
    args = parser.parse_args()
    state["rate"] = args.rate
    if args.shape == "per-class":
        REGISTRY.unregister(PREDICTIONS)
        REGISTRY.unregister(PROCESSING)
        TIMER[0] = Summary("python_processing_time_seconds", "Time spent processing a request", registry=REGISTRY)
        for species in SPECIES:
            PER_CLASS[species] = Counter(f"python_iris_{species}_predictions", f"Predictions of class {species}", registry=REGISTRY)
    if args.basic_auth:
        state["auth"] = "Basic " + base64.b64encode(args.basic_auth.encode()).decode()
    threading.Thread(target=traffic, daemon=True).start()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"model API listening on {args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
