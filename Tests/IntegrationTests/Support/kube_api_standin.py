"""A stand-in for the Kubernetes API server's list and watch endpoints, following the published
API contract: `GET /api/v1/{pods,services,nodes,endpoints}`,
`/apis/discovery.k8s.io/v1/endpointslices`, `/apis/networking.k8s.io/v1/ingresses` and their
`namespaces/NS/...` forms answer a List with `metadata.resourceVersion`; with `watch=1&resourceVersion=RV` they stream the events
after RV as newline-delimited JSON in a chunked response (ADDED, MODIFIED, DELETED, and BOOKMARK
every second when `allowWatchBookmarks` is set), ending after a few seconds as real servers end
watches; a version older than the retained history gets an ERROR event carrying a 410 Status, as
after etcd compaction. `labelSelector=k=v` filters. Requests need `Authorization: Bearer TOKEN`.

The test drives it through `POST /_control/{apply,delete,compact}` with JSON bodies.

Usage: kube_api_standin.py PORT TOKEN
"""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

port, token = int(sys.argv[1]), sys.argv[2]
lock = threading.Condition()
state = {"version": 100, "objects": {}, "history": [], "oldest": 100, "epoch": 0}  # objects: (resource, ns, name) -> obj
RESOURCES = {"pods": "Pod", "services": "Service", "nodes": "Node", "endpoints": "Endpoints",
             "endpointslices": "EndpointSlice", "ingresses": "Ingress"}
# The API group path of each resource: the core group, or a named one.
GROUPS = {"pods": ["api", "v1"], "services": ["api", "v1"], "nodes": ["api", "v1"], "endpoints": ["api", "v1"],
          "endpointslices": ["apis", "discovery.k8s.io", "v1"], "ingresses": ["apis", "networking.k8s.io", "v1"]}


def bump():
    state["version"] += 1
    return str(state["version"])


def matches(obj, selector):
    if not selector:
        return True
    labels = obj.get("metadata", {}).get("labels", {}) or {}
    for term in selector.split(","):
        k, _, v = term.partition("=")
        if labels.get(k) != v:
            return False
    return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        action = self.path.rsplit("/", 1)[-1]
        with lock:
            if action == "apply":
                obj = body["object"]
                meta = obj["metadata"]
                key = (body["resource"], meta.get("namespace", ""), meta["name"])
                kind = "MODIFIED" if key in state["objects"] else "ADDED"
                meta["resourceVersion"] = bump()
                state["objects"][key] = obj
                state["history"].append((int(meta["resourceVersion"]), kind, key, obj))
            elif action == "delete":
                key = (body["resource"], body.get("namespace", ""), body["name"])
                obj = state["objects"].pop(key, None)
                if obj is not None:
                    obj["metadata"]["resourceVersion"] = bump()
                    state["history"].append((int(obj["metadata"]["resourceVersion"]), "DELETED", key, obj))
            elif action == "compact":
                # History up to now is gone, and open watches end (as when an API server restarts).
                state["history"] = []
                bump()
                state["oldest"] = state["version"]
                state["epoch"] += 1
            lock.notify_all()
        print(f"control {action}", flush=True)
        self.reply(200, {"version": state["version"]})

    def do_GET(self):
        if self.headers.get("Authorization") != "Bearer " + token:
            return self.reply(401, {"kind": "Status", "code": 401, "reason": "Unauthorized"})
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")  # GROUP... [namespaces NS] resource
        resource = parts[-1]
        if resource not in RESOURCES or parts[:len(GROUPS[resource])] != GROUPS[resource]:
            return self.reply(404, {"kind": "Status", "code": 404})
        rest = parts[len(GROUPS[resource]):-1]
        namespace = rest[1] if len(rest) == 2 and rest[0] == "namespaces" else None
        selector = q.get("labelSelector", "")

        def wanted(key, obj):
            return key[0] == resource and (namespace is None or key[1] == namespace) and matches(obj, selector)

        if q.get("watch") not in ("1", "true"):
            with lock:
                items = [o for k, o in sorted(state["objects"].items()) if wanted(k, o)]
                version = str(state["version"])
            print(f"list {url.path} -> {len(items)}", flush=True)
            return self.reply(200, {"kind": RESOURCES[resource] + "List", "apiVersion": "v1",
                                    "metadata": {"resourceVersion": version}, "items": items})

        since = int(q.get("resourceVersion") or "0")
        print(f"watch {url.path} from {since}", flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def send(event):
            data = (json.dumps(event) + "\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        try:
            with lock:
                too_old = since < state["oldest"]
            if too_old:
                print(f"watch from {since} expired (410)", flush=True)
                send({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                                    "message": f"too old resource version: {since} ({state['oldest']})",
                                                    "reason": "Expired", "code": 410}})
            else:
                deadline = time.time() + 4
                last = since
                with lock:
                    epoch = state["epoch"]
                while time.time() < deadline and state["epoch"] == epoch:
                    with lock:
                        events = [(v, k, key, o) for v, k, key, o in state["history"] if v > last and wanted(key, o)]
                        if not events:
                            lock.wait(timeout=1)
                            events = [(v, k, key, o) for v, k, key, o in state["history"] if v > last and wanted(key, o)]
                        current = state["version"]
                        ended = state["epoch"] != epoch
                    if ended:
                        break
                    for v, kind, key, obj in events:
                        send({"type": kind, "object": obj})
                        last = v
                    if not events and q.get("allowWatchBookmarks") == "true":
                        send({"type": "BOOKMARK", "object": {"kind": RESOURCES[resource], "apiVersion": "v1",
                                                             "metadata": {"resourceVersion": str(current)}}})
                        last = max(last, current)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
print("listening", flush=True)
server.serve_forever()
