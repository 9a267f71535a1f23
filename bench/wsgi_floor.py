"""The HTTP floor of bench/tiles.py: a WSGI app that answers every path with a small body and
does nothing else, under the same server, threads and client as the app. What a tile costs
above this is ours; this much is the server's and the client's."""
BODY = b"\x1a" * 512  # about a small gzipped tile


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/vnd.mapbox-vector-tile"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
