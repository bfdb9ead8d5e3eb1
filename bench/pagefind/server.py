# Static server that logs every request path (with a byte count) to a file; /__mark?.. is logged and answered 204.
import sys, os, http.server, functools
root, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.startswith('/__mark'):
            with open(log, 'a') as f: f.write('MARK ' + self.path + '\n')
            self.send_response(204); self.send_header('Access-Control-Allow-Origin','*'); self.end_headers(); return
        with open(log, 'a') as f: f.write('GET ' + self.path + '\n')
        return super().do_GET()
    def end_headers(self):
        self.send_header('Cache-Control', 'no-store')
        super().end_headers()
http.server.ThreadingHTTPServer.allow_reuse_address = True
s = http.server.ThreadingHTTPServer(('127.0.0.1', port), functools.partial(H, directory=root))
s.serve_forever()
