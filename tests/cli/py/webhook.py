"""A webhook receiver for the notification tests.

    python3 webhook.py OUT N429 N500

Prints its port, then records each JSON body it accepts as a line of OUT. It answers
the first N429 requests 429 with Retry-After: 1, the next N500 with 500, then 200.
"""
import http.server
import sys
import threading

out, n429, n500 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seen = {"n": 0}
lock = threading.Lock()


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            seen["n"] += 1
            k = seen["n"]
        if k <= n429:
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return
        if k <= n429 + n500:
            self.send_response(500)
            self.end_headers()
            return
        with lock, open(out, "a") as f:
            f.write(body.decode() + "\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
print(server.server_address[1], flush=True)
server.serve_forever()
