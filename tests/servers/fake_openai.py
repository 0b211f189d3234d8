#!/usr/bin/env python3
"""A loopback OpenAI-compatible chat-completions server for llmflow's tests and benchmarks.

Standard library only (asyncio streams); sustains thousands of concurrent keep-alive connections.
Not a model: replies are deterministic. Not for production; binds loopback only (127.0.0.1, or ::1).

Endpoints
  POST /v1/chat/completions   streaming (SSE, chunked or close-delimited) and non-streaming
  GET  /health                200 "ok"
  GET  /metrics               Prometheus text: vllm:num_requests_running / _waiting, plus
                              fake_openai:requests_total, fake_openai:max_running (peak since start),
                              fake_openai:connections (open), fake_openai:connections_total
  GET  /last_request          JSON {"headers": {...lower-case names...}, "body": {...}} of the last chat request
  GET  /requests              JSON list of every chat request so far, in that form

Real servers' request shapes: --flavour openai|vllm|sglang|llama-server|ollama refuses a request that
server would refuse, with its error (server_flavours.py); --served-model ID (repeatable) is the model
id it serves (others get that server's 404); --api-key KEY requires "Authorization: Bearer KEY";
--tls-cert CERT --tls-key KEY serve https.

Replies
  Plain: "echo: " + the words of the last user message (fault tags removed), or --reply-words N
  words "w1 w2 ..."; cut to max_tokens words (then finish_reason "length").
  With response_format json_schema: a minimal JSON value generated from the schema (strings "x",
  integers 1, numbers 1, booleans true, enums their first value, arrays one item, nested objects).
  usage: prompt_tokens = whitespace-separated words over all messages, completion_tokens = words of
  the reply. Streaming sends ": ping", a role chunk, one chunk per token, a finish chunk, a usage
  chunk when stream_options.include_usage is true, then "data: [DONE]".

Faults (one per request), selected by a header "X-Fault: SPEC" or by a tag "[[fault:SPEC]]" anywhere
in the last user message. SPEC is NAME, NAME:PARAM, NAMExN or NAMExN:PARAM. With xN the fault hits
only the first N requests carrying the same key (the X-Request-Id header if present, otherwise the
last user message), later ones succeed: "[[fault:500x2]]" fails twice then answers.
  500 502 503 504       that status with an OpenAI-style error body (503 adds Retry-After when PARAM)
  429                   429 rate limit, "Retry-After: PARAM" seconds (default 1)
  429date               429 with Retry-After as an HTTP date PARAM seconds ahead (default 2)
  quota                 429 with error code/type "insufficient_quota" (no Retry-After)
  ctx                   400 "This model's maximum context length is 4096 tokens..."
  400 401 403 404 413 422   that status with an error body
  hang                  read the request, never answer (until the client closes; with PARAM,
                        close the connection after PARAM seconds without an answer)
  reset                 send the headers and part of the body, then close with a TCP RST
  truncated             stream: some tokens, then end the body without finish/usage/[DONE];
                        non-streaming: Content-Length larger than the bytes sent, then close
  malformed             stream: an unparseable data: chunk; non-streaming: a cut JSON body
  length                finish_reason "length" (a schema reply is cut in half: invalid JSON)
  slow                  first token after PARAM seconds (default 2) instead of --ttft
  stall                 stream: pause PARAM seconds (default 2) halfway through the tokens
  chatter               stream: after the first token, only ": ping" keep-alives (every 0.1 s)
                        for PARAM seconds (default 30), then the rest
  split                 stream: every SSE event written in 3 pieces with a flush in between
  deep                  a hostile reply: JSON nested PARAM levels deep (default 100000), as the
                        one stream event or as the whole non-streamed body
  fenced                the reply wrapped in prose and a ```json code fence
  flood                 a reply of PARAM MiB (default 1), streamed in 64 KiB tokens
Per-request framing of streams: header "X-Framing: close" (close-delimited, HTTP/1.0 style)
overrides --framing.

The first line on stdout is "PORT <n>" (not when running a command). Exits 0 on SIGTERM/SIGINT, after --max-seconds, and (with
--watch-stdin) when stdin reaches end of file, so a crashed parent never leaves it running.
With a command after "--" it runs that command ("{url}" in its arguments becomes the server's base
URL), then exits with the command's status: fake_openai.py -- llmflow run APP --backend {url}
Unexpected exits are logged on stderr; set FAKE_OPENAI_LOG_EXIT=1 to log SIGTERM exits too.
"""

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import socket
import ssl
import struct
import sys
import time
from email.utils import formatdate

import server_flavours

FAULT_TAG = re.compile(r"\[\[fault:([^\]]+)\]\]")
FAULT_SPEC = re.compile(r"^([a-z0-9_]+?)(?:x(\d+))?(?::([0-9.]+))?$")

ERROR_BODIES = {
    400: ("invalid_request_error", "bad request"),
    401: ("invalid_request_error", "Incorrect API key provided"),
    403: ("permission_error", "forbidden"),
    404: ("not_found_error", "The model does not exist"),
    413: ("invalid_request_error", "request entity too large"),
    422: ("invalid_request_error", "unprocessable entity"),
    500: ("server_error", "internal server error"),
    502: ("server_error", "bad gateway"),
    503: ("server_error", "service unavailable"),
    504: ("server_error", "gateway timeout"),
}
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           411: "Length Required", 413: "Payload Too Large", 422: "Unprocessable Entity",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


class BadRequest(Exception):
    pass


def value_from_schema(schema, root, depth=0):
    """A minimal JSON value satisfying common JSON-schema constructs."""
    if depth > 32 or not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return value_from_schema(target, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return value_from_schema(schema[key][0], root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        # Minimal: only the required properties when the schema names them.
        props = schema.get("properties", {})
        if "required" in schema:
            props = {k: v for k, v in props.items() if k in schema["required"]}
        return {name: value_from_schema(sub, root, depth + 1) for name, sub in props.items()}
    if kind == "array":
        item = value_from_schema(schema.get("items", {}), root, depth + 1)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "string":
        return "x" * max(1, int(schema.get("minLength", 1)))
    if kind in ("integer", "number"):
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    return None


def words(text):
    return text.split()


class Fault:
    def __init__(self, name="", param=None):
        self.name = name
        self.param = param


class Server:
    def __init__(self, args):
        self.args = args
        self.running = 0
        self.max_running = 0
        self.requests_total = 0
        self.connections = 0
        self.connections_total = 0
        self.fault_counts = {}
        self.last_request = {}
        self.requests = []
        self.stop_event = asyncio.Event()
        self.stop_reason = ""
        self.exit_code = 0   # of a command run with "--"
        self.next_id = 0

    def stop(self, reason):
        if not self.stop_event.is_set():
            self.stop_reason = reason
            self.stop_event.set()

    @staticmethod
    async def drain_until_closed(reader):
        while await reader.read(65536):
            pass

    # ---- fault selection -------------------------------------------------------------------
    def pick_fault(self, headers, last_user):
        spec = headers.get("x-fault", "")
        if not spec:
            match = FAULT_TAG.search(last_user)
            spec = match.group(1) if match else ""
        if not spec:
            return Fault()
        match = FAULT_SPEC.match(spec.strip())
        if not match:
            raise BadRequest("unknown fault spec '%s'" % spec)
        name, times, param = match.group(1), match.group(2), match.group(3)
        if times is not None:
            key = (headers.get("x-request-id") or last_user, spec)
            seen = self.fault_counts.get(key, 0) + 1
            self.fault_counts[key] = seen
            if seen > int(times):
                return Fault()
        return Fault(name, float(param) if param else None)

    # ---- HTTP plumbing ---------------------------------------------------------------------
    async def handle(self, reader, writer):
        self.connections += 1
        self.connections_total += 1
        try:
            while not self.stop_event.is_set():
                keep = await self.one_request(reader, writer)
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, BadRequest):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self.connections -= 1
            try:
                writer.close()
            except Exception:
                pass

    async def one_request(self, reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        except asyncio.LimitOverrunError:
            await self.send_simple(writer, 431, b"headers too large", close=True)
            return False
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            await self.send_simple(writer, 400, b"bad request line", close=True)
            return False
        method, target, version = parts
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        conn = headers.get("connection", "").lower()
        keep = (version == "HTTP/1.1" and conn != "close") or conn == "keep-alive"
        body = b""
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            await self.send_simple(writer, 411, b"chunked request bodies not supported", close=True)
            return False
        path = target.split("?", 1)[0]
        if method == "GET" and path == "/health":
            await self.send_simple(writer, 200, b"ok", close=not keep)
        elif method == "GET" and path == "/metrics":
            text = ("# TYPE vllm:num_requests_running gauge\n"
                    "vllm:num_requests_running{model_name=\"fake\"} %d\n"
                    "# TYPE vllm:num_requests_waiting gauge\n"
                    "vllm:num_requests_waiting{model_name=\"fake\"} 0\n"
                    "fake_openai:requests_total %d\n"
                    "fake_openai:max_running %d\n"
                    "fake_openai:connections %d\n"
                    "fake_openai:connections_total %d\n" % (
                        self.running, self.requests_total, self.max_running, self.connections,
                        self.connections_total))
            await self.send_simple(writer, 200, text.encode(), close=not keep,
                                   ctype="text/plain; version=0.0.4")
        elif method == "GET" and path == "/last_request":
            await self.send_simple(writer, 200, json.dumps(self.last_request).encode(),
                                   close=not keep, ctype="application/json")
        elif method == "GET" and path == "/requests":
            await self.send_simple(writer, 200, json.dumps(self.requests).encode(),
                                   close=not keep, ctype="application/json")
        elif method == "POST" and path == "/v1/chat/completions":
            self.running += 1
            self.requests_total += 1
            self.max_running = max(self.max_running, self.running)
            try:
                return await self.chat(reader, writer, headers, body, keep)
            finally:
                self.running -= 1
        else:
            await self.send_simple(writer, 404, b"not found", close=not keep)
        return keep

    async def send_simple(self, writer, status, payload, close, ctype="text/plain", extra=()):
        head = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status")),
                "Content-Type: " + ctype, "Content-Length: %d" % len(payload)]
        head += list(extra)
        if close:
            head.append("Connection: close")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        await writer.drain()

    async def send_error(self, writer, status, etype, message, keep, extra=(), code=None):
        payload = json.dumps({"error": {"message": message, "type": etype, "param": None,
                                        "code": code}}).encode()
        await self.send_simple(writer, status, payload, close=not keep,
                               ctype="application/json", extra=extra)
        return keep

    def reset(self, writer):
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    # ---- chat completions ------------------------------------------------------------------
    async def chat(self, reader, writer, headers, body, keep):
        try:
            req = json.loads(body)
            messages = req["messages"]
        except (ValueError, KeyError, TypeError):
            return await self.send_error(writer, 400, "invalid_request_error",
                                         "body is not a chat request", keep)
        self.last_request = {"headers": headers, "body": req}
        self.requests.append(self.last_request)
        key = self.args.api_key
        if key and headers.get("authorization") != "Bearer " + key:
            return await self.send_error(writer, 401, "invalid_request_error",
                                         "Incorrect API key provided", keep,
                                         code="invalid_api_key")
        if self.args.flavour:
            refused = server_flavours.check(self.args.flavour, req, self.args.served_model)
            if refused:
                return await self.send_error(writer, refused[0], "invalid_request_error", refused[1], keep)
        last_user = next((m.get("content") or "" for m in reversed(messages)
                          if m.get("role") == "user"), "")
        if not isinstance(last_user, str):
            last_user = json.dumps(last_user)
        try:
            fault = self.pick_fault(headers, last_user)
        except BadRequest as err:
            return await self.send_error(writer, 400, "invalid_request_error", str(err), keep)
        name = fault.name

        if name == "hang":
            try:
                await asyncio.wait_for(self.drain_until_closed(reader), fault.param)
            except asyncio.TimeoutError:
                pass  # PARAM seconds passed: close without an answer
            return False
        if name == "429":
            after = int(fault.param) if fault.param is not None else 1
            return await self.send_error(writer, 429, "requests", "Rate limit reached", keep,
                                         extra=("Retry-After: %d" % after,),
                                         code="rate_limit_exceeded")
        if name == "429date":
            at = formatdate(time.time() + (fault.param if fault.param is not None else 2), usegmt=True)
            return await self.send_error(writer, 429, "requests", "Rate limit reached", keep,
                                         extra=("Retry-After: " + at,), code="rate_limit_exceeded")
        if name == "quota":
            return await self.send_error(writer, 429, "insufficient_quota",
                                         "You exceeded your current quota, please check your plan",
                                         keep, code="insufficient_quota")
        if name == "ctx":
            return await self.send_error(
                writer, 400, "BadRequestError",
                "This model's maximum context length is 4096 tokens. However, you requested "
                "5000 tokens in the messages. Please reduce the length of the messages.", keep)
        if name.isdigit() and int(name) in ERROR_BODIES:
            status = int(name)
            etype, message = ERROR_BODIES[status]
            extra = ("Retry-After: %d" % int(fault.param),) if fault.param is not None else ()
            return await self.send_error(writer, status, etype, message, keep, extra=extra)
        if name == "deep":
            depth = int(fault.param) if fault.param is not None else 100000
            nested = b"[" * depth + b"]" * depth
            if req.get("stream"):
                head = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        "Content-Length: %d\r\n\r\n" % (len(nested) + 8)).encode()
                writer.write(head + b"data: " + nested + b"\n\n")
                await writer.drain()
                return keep
            await self.send_simple(writer, 200, nested, close=not keep, ctype="application/json")
            return keep
        if name not in ("", "reset", "truncated", "malformed", "length", "slow", "split", "stall", "chatter",
                        "fenced", "flood"):
            return await self.send_error(writer, 400, "invalid_request_error",
                                         "unknown fault '%s'" % name, keep)

        content, finish = self.reply(req, last_user)
        if name == "fenced":
            content = "Here is the answer:\n```json\n" + content + "\n```\nHope this helps."
        if name == "flood":
            content = " ".join(["x" * 65536] * int(16 * (fault.param if fault.param is not None else 1)))
        if name == "length":
            finish = "length"
            content = content[: max(1, len(content) // 2)]
        prompt_tokens = sum(len(words(m.get("content") or "")) for m in messages
                            if isinstance(m.get("content"), str))
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(words(content)),
                 "total_tokens": prompt_tokens + len(words(content))}
        ttft = self.args.ttft
        if name == "slow":
            ttft = fault.param if fault.param is not None else 2.0
        self.next_id += 1
        rid = "chatcmpl-fake-%d" % self.next_id
        if req.get("stream"):
            framing = headers.get("x-framing", self.args.framing)
            include_usage = bool((req.get("stream_options") or {}).get("include_usage"))
            return await self.stream(writer, req, rid, content, finish, usage, include_usage,
                                     ttft, fault, keep, framing)
        await asyncio.sleep(ttft + self.args.tpot * len(self.tokens(content, req)))
        payload = {"id": rid, "object": "chat.completion", "created": int(time.time()),
                   "model": req.get("model", "fake"),
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                "finish_reason": finish}],
                   "usage": usage}
        data = json.dumps(payload).encode()
        if name == "malformed":
            data = data[: len(data) // 2]
        if name in ("reset", "truncated"):
            head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Content-Length: %d\r\n\r\n" % len(data)).encode()
            writer.write(head + data[: len(data) // 2])
            await writer.drain()
            if name == "reset":
                self.reset(writer)
            else:
                writer.close()
            return False
        await self.send_simple(writer, 200, data, close=not keep, ctype="application/json")
        return keep

    def reply(self, req, last_user):
        limit = int(req.get("max_tokens") or req.get("max_completion_tokens") or 1 << 30)
        fmt = req.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            schema = (fmt.get("json_schema") or {}).get("schema") or {}
            return json.dumps(value_from_schema(schema, schema), separators=(",", ":")), "stop"
        if fmt.get("type") == "json_object":   # llama-server's form may carry a schema
            schema = fmt.get("schema") or {}
            return json.dumps(value_from_schema(schema, schema) if schema else {}, separators=(",", ":")), "stop"
        if self.args.reply_words:
            out = ["w%d" % i for i in range(self.args.reply_words)]
        else:
            out = ["echo:"] + words(FAULT_TAG.sub("", last_user))
        if len(out) > limit:
            return " ".join(out[:limit]), "length"
        return " ".join(out), "stop"

    def tokens(self, content, req):
        fmt = req.get("response_format") or {}
        if fmt.get("type") in ("json_schema", "json_object"):
            return [content[i:i + 3] for i in range(0, len(content), 3)]
        pieces = content.split(" ")
        return [p if i == 0 else " " + p for i, p in enumerate(pieces)] if content else []

    async def stream(self, writer, req, rid, content, finish, usage, include_usage, ttft, spec,
                     keep, framing):
        fault = spec.name
        close = framing == "close"
        head = ["HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Cache-Control: no-cache"]
        head.append("Connection: close" if close or not keep else "Connection: keep-alive")
        if not close:
            head.append("Transfer-Encoding: chunked")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        await writer.drain()

        async def send(raw):
            pieces = [raw]
            if fault == "split" and len(raw) >= 3:
                third = len(raw) // 3
                pieces = [raw[:third], raw[third:2 * third], raw[2 * third:]]
            for piece in pieces:
                writer.write(piece if close else b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
                if len(pieces) > 1:
                    await asyncio.sleep(0.001)

        def event(obj):
            return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"

        def chunk(delta, finish_reason=None):
            return event({"id": rid, "object": "chat.completion.chunk", "created": int(time.time()),
                          "model": req.get("model", "fake"),
                          "choices": [{"index": 0, "delta": delta,
                                       "finish_reason": finish_reason}]})

        await send(b": ping\n\n")
        await asyncio.sleep(ttft)
        await send(chunk({"role": "assistant", "content": ""}))
        toks = self.tokens(content, req)
        for i, tok in enumerate(toks):
            if i:
                await asyncio.sleep(self.args.tpot)
            if fault == "chatter" and i == 1:
                until = time.monotonic() + (spec.param if spec.param is not None else 30.0)
                while time.monotonic() < until:
                    await send(b": ping\n\n")
                    await asyncio.sleep(0.1)
            if fault == "stall" and i == len(toks) // 2:
                await asyncio.sleep(spec.param if spec.param is not None else 2.0)
            if fault == "malformed" and i == len(toks) // 2:
                await send(b'data: {"choices": [{"delta": {"content": "oops\n\n')
            await send(chunk({"content": tok}))
            if fault in ("reset", "truncated") and i + 1 >= max(1, len(toks) // 2):
                if fault == "reset":
                    self.reset(writer)
                else:
                    if not close:
                        writer.write(b"0\r\n\r\n")
                    await writer.drain()
                    writer.close()
                return False
        await send(chunk({}, finish))
        if include_usage:
            await send(event({"id": rid, "object": "chat.completion.chunk",
                              "created": int(time.time()), "model": req.get("model", "fake"),
                              "choices": [], "usage": usage}))
        await send(b"data: [DONE]\n\n")
        if close:
            await writer.drain()
            writer.close()
            return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return keep


async def watch_stdin(state):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(4096):
        pass
    state.stop("stdin closed")


async def run_command(state, argv):
    try:
        proc = await asyncio.create_subprocess_exec(*argv)
        state.exit_code = await proc.wait()
    except OSError as err:
        sys.stderr.write("fake_openai.py: cannot run %s: %s\n" % (argv[0], err))
        state.exit_code = 127
    state.stop("SIGTERM")   # a normal end: stay quiet


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 (default) or ::1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--ttft", type=float, default=0.0, help="seconds to the first token")
    parser.add_argument("--tpot", type=float, default=0.0, help="seconds per further token")
    parser.add_argument("--framing", choices=("chunked", "close"), default="chunked",
                        help="how streamed bodies are delimited")
    parser.add_argument("--reply-words", type=int, default=0,
                        help="reply with N words instead of echoing the prompt")
    parser.add_argument("--api-key", default="", help="require 'Authorization: Bearer KEY'")
    parser.add_argument("--flavour", choices=server_flavours.FLAVOURS,
                        help="refuse requests that server would refuse (server_flavours.py)")
    parser.add_argument("--served-model", action="append", default=[],
                        help="a model id the server serves (repeatable; default: any)")
    parser.add_argument("--tls-cert", help="serve https with this certificate (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="-- CMD ARGS...: run it against the server, then exit with its status")
    parser.add_argument("--max-seconds", type=float, default=0, help="exit after this (0 = never)")
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    state = Server(args)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, state.stop, signal.Signals(sig).name)
    if args.host not in ("127.0.0.1", "::1"):
        parser.error("--host must be a loopback address")
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    server = await asyncio.start_server(state.handle, args.host, args.port, backlog=4096,
                                        limit=1 << 24, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    helpers = []
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        sys.stdout.write("PORT %d\n" % port)
        sys.stdout.flush()
    else:
        url = "%s://%s:%d" % ("https" if tls else "http", "[::1]" if ":" in args.host else args.host, port)
        helpers.append(asyncio.ensure_future(run_command(state, [a.replace("{url}", url) for a in command])))
    if args.watch_stdin:
        helpers.append(asyncio.ensure_future(watch_stdin(state)))
    if args.max_seconds > 0:
        loop.call_later(args.max_seconds, state.stop, "--max-seconds reached")
    await state.stop_event.wait()
    if state.stop_reason != "SIGTERM" or os.environ.get("FAKE_OPENAI_LOG_EXIT"):
        sys.stderr.write("fake_openai.py: exiting: %s\n" % state.stop_reason)
    server.close()
    for task in helpers:
        task.cancel()
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.cancel()
    return state.exit_code


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        sys.exit(0)
