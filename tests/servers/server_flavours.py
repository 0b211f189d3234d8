"""What each real OpenAI-compatible server accepts in a chat-completions request, for fake_openai.py's
--flavour: the loopback server answers a request the real server would refuse with that server's
error, so a test of llmflow's configuration for vLLM, SGLang, llama.cpp's llama-server, Ollama or
OpenAI fails when llmflow would send it the wrong shape. The rules follow each server's documented
OpenAI compatibility; they are checks of shape, not a model of the servers.

  openai        unknown top-level fields are refused (400 "Unrecognized request argument");
                max_tokens is refused for reasoning models (o1, o3, o4..., gpt-5...): they take
                max_completion_tokens; response_format json_schema needs json_schema.name and .schema
  vllm, sglang  response_format json_schema needs json_schema.schema; other extra fields
                (top_k, chat_template_kwargs, ...) are accepted
  llama-server  response_format is json_object with an optional "schema", or json_schema with
                json_schema.schema; the model field is not checked (one model per server)
  ollama        response_format json_schema or json_object; extra fields ignored
With --served-model, a model id the server does not serve gets that server's 404 (not for
llama-server, which serves whatever it loaded, nor SGLang)."""

FLAVOURS = ("openai", "vllm", "sglang", "llama-server", "ollama")

OPENAI_FIELDS = {
    "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stream",
    "stream_options", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
    "top_logprobs", "user", "seed", "response_format", "tools", "tool_choice", "parallel_tool_calls",
    "service_tier", "store", "metadata", "reasoning_effort", "modalities", "audio", "prediction",
}

NOT_SERVED = {
    "openai": "The model `%s` does not exist or you do not have access to it.",
    "vllm": "The model `%s` does not exist.",
    "ollama": "model \"%s\" not found, try pulling it first",
}


def reasoning_model(model):
    return model.startswith(("o1", "o3", "o4", "gpt-5"))


def check(flavour, req, served):
    """None if `flavour` accepts `req`, else (status, error message)."""
    model = req.get("model")
    if not isinstance(model, str) or not model:
        return 400, "you must provide a model parameter"
    if served and flavour in NOT_SERVED and model not in served:
        return 404, NOT_SERVED[flavour] % model
    if flavour == "openai":
        for field in req:
            if field not in OPENAI_FIELDS:
                return 400, "Unrecognized request argument supplied: %s" % field
        if reasoning_model(model) and "max_tokens" in req:
            return 400, ("Unsupported parameter: 'max_tokens' is not supported with this model. "
                         "Use 'max_completion_tokens' instead.")
    fmt = req.get("response_format")
    if fmt is None:
        return None
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind == "json_schema":
        js = fmt.get("json_schema")
        if not isinstance(js, dict) or not isinstance(js.get("schema"), dict):
            return 400, "response_format json_schema needs json_schema.schema"
        if flavour == "openai" and not js.get("name"):
            return 400, "Missing required parameter: 'response_format.json_schema.name'."
        return None
    if kind == "json_object":
        if "schema" in fmt and flavour != "llama-server":
            return 400, "response_format json_object takes no schema here (use json_schema)"
        return None
    if kind == "text":
        return None
    return 400, "response_format type must be one of \"text\", \"json_object\" or \"json_schema\", got %r" % kind
