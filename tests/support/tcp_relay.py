"""A TCP relay on loopback in front of a real server, that can cut a connection at a chosen moment."""

from __future__ import annotations

import socket
import threading

from tests.support.seaweed import free_port


class TcpRelay:
    """Forwards every connection to ``target`` (host, port) as is, until :meth:`cut_after` is armed:
    then the first connection whose client sends bytes containing ``marker`` has that message
    forwarded, and is closed on both sides instead of forwarding the server's answer. For a
    database, ``b"COMMIT\\x00"`` (the statement, not a ``READ COMMITTED``): the server commits, the client never hears it (the network lost
    between them at the worst moment).

    :meth:`sever` takes the server away as an outage does: every connection through the relay
    is closed and new ones are closed as soon as they are accepted, until :meth:`restore`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._marker: bytes | None = None
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._severed = False
        self.cuts = 0

    def start(self) -> TcpRelay:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._listener.close()

    def sever(self) -> None:
        with self._lock:
            self._severed = True
            for sock in list(self._open):
                _close(sock)
            self._open.clear()

    def restore(self) -> None:
        with self._lock:
            self._severed = False

    def cut_after(self, marker: bytes) -> None:
        with self._lock:
            self._marker = marker

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._severed:
                    _close(client)
                    continue
                server = socket.create_connection(self.target)
                self._open.update((client, server))
            doomed = threading.Event()
            threading.Thread(target=self._upstream, args=(client, server, doomed), daemon=True).start()
            threading.Thread(target=self._downstream, args=(server, client, doomed), daemon=True).start()

    def _upstream(self, client: socket.socket, server: socket.socket, doomed: threading.Event) -> None:
        try:
            while data := client.recv(65536):
                with self._lock:
                    if self._marker is not None and self._marker in data:
                        self._marker = None
                        doomed.set()
                server.sendall(data)
        except OSError:
            pass
        finally:
            _close(server)

    def _downstream(self, server: socket.socket, client: socket.socket, doomed: threading.Event) -> None:
        try:
            while data := server.recv(65536):
                if doomed.is_set():
                    self.cuts += 1
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(server)
            with self._lock:
                self._open.difference_update((client, server))


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
