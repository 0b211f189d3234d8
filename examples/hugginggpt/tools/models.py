#!/usr/bin/env python3
"""models: canned, deterministic FAKE expert models for the HuggingGPT example.

No model runs here and nothing is downloaded: every answer comes from
tools/catalog.json (for the example images and audio files named in
inputs.jsonl) or, for unknown inputs, from a stable hash of the arguments, so
the same request always gets the same output. The media files themselves need
not exist. Generative tools return a path under outputs/ and write nothing.

usage:  python3 tools/models.py TASK   (arguments as a JSON object on stdin)
TASK and stdout:
  image_caption                {"image"}                 -> caption text
  object_detection             {"image", "threshold"}    -> [{"label","score","box"}]
  image_classification         {"image", "top_k"}        -> [{"label","score"}]
  visual_question_answering    {"image", "question"}     -> answer text
  text_to_image                {"prompt"}                -> {"path","kind","model","seed"}
  translation                  {"text","target_language"}-> translated text
  automatic_speech_recognition {"audio"}                 -> transcript text
  text_to_speech               {"text"}                  -> {"path","kind","model","seed"}
Exit 1 with a message on stderr when a required argument is empty (the
runtime sees a failed tool call, as with a real model endpoint).
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = {
    "image_caption": "nlpconnect/vit-gpt2-image-captioning",
    "object_detection": "facebook/detr-resnet-101",
    "image_classification": "google/vit-base-patch16-224",
    "visual_question_answering": "dandelin/vilt-b32-finetuned-vqa",
    "text_to_image": "runwayml/stable-diffusion-v1-5",
    "translation": "facebook/nllb-200-distilled-600M",
    "automatic_speech_recognition": "openai/whisper-base",
    "text_to_speech": "microsoft/speecht5_tts",
}
GENERIC_CAPTIONS = ["a photo of a room with furniture", "an outdoor scene with trees and a path",
                    "a close-up photo of an object on a table", "a group of people standing together"]
GENERIC_LABELS = ["person", "chair", "bottle", "tree", "car", "cup", "book", "cat"]


def h(*parts) -> int:
    return int(hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def need(args, key):
    v = args.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        raise LookupError(f"missing argument '{key}'")
    return v


def image_entry(img):
    cat = CATALOG["images"]
    if img in cat:
        return cat[img]
    base = os.path.basename(img)
    for k, v in cat.items():
        if os.path.basename(k) == base:
            return v
    seed = h("img", img)
    n = 1 + seed % 4
    return {
        "caption": GENERIC_CAPTIONS[seed % len(GENERIC_CAPTIONS)],
        "objects": [[GENERIC_LABELS[(seed >> (3 * i)) % len(GENERIC_LABELS)], round(0.55 + ((seed >> i) % 40) / 100, 2),
                     [20 * i, 30 * i, 20 * i + 120, 30 * i + 160]] for i in range(n)],
        "labels": [[GENERIC_LABELS[(seed >> 5) % len(GENERIC_LABELS)], 0.51], ["scene", 0.2], ["object", 0.1]],
        "vqa": {},
    }


def run(task, args):
    if task == "image_caption":
        return image_entry(need(args, "image"))["caption"]
    if task == "object_detection":
        thr = float(args.get("threshold", 0.5))
        objs = image_entry(need(args, "image"))["objects"]
        return [{"label": l, "score": s, "box": b} for l, s, b in objs if s >= thr]
    if task == "image_classification":
        k = int(args.get("top_k", 3))
        return [{"label": l, "score": s} for l, s in image_entry(need(args, "image"))["labels"][:k]]
    if task == "visual_question_answering":
        e = image_entry(need(args, "image"))
        q = str(need(args, "question")).lower()
        for key, ans in e.get("vqa", {}).items():
            if key in q:
                return ans
        return "yes" if h("vqa", q) % 2 else "no"
    if task == "text_to_image":
        p = need(args, "prompt")
        seed = h("t2i", p) % 2**31
        return {"path": f"outputs/{seed:08x}.png", "kind": "image", "model": MODELS[task], "seed": seed}
    if task == "translation":
        text, lang = str(need(args, "text")), str(need(args, "target_language")).lower()[:2]
        table = CATALOG["translations"].get(lang, {})
        t = text.strip().rstrip(".").lower()
        return table.get(t) or f"[{lang}] {text}"
    if task == "automatic_speech_recognition":
        a = need(args, "audio")
        return CATALOG["audio"].get(a) or f"(unclear speech, {3 + h('asr', a) % 20} seconds)"
    if task == "text_to_speech":
        t = need(args, "text")
        seed = h("tts", t) % 2**31
        return {"path": f"outputs/{seed:08x}.wav", "kind": "audio", "model": MODELS[task], "seed": seed}
    raise LookupError(f"unknown task '{task}'")


def main() -> int:
    if len(sys.argv) != 2 or sys.argv[1] not in MODELS:
        print(f"usage: models.py {{{'|'.join(MODELS)}}}", file=sys.stderr)
        return 2
    task = sys.argv[1]
    try:
        args = json.load(sys.stdin)
        if not isinstance(args, dict):
            raise ValueError("arguments must be a JSON object")
        out = run(task, args)
    except (ValueError, LookupError) as e:
        print(f"{task}: {e}", file=sys.stderr)
        return 1
    # string results are printed as plain text (the tool's result type is string)
    print(out if isinstance(out, str) else json.dumps(out, ensure_ascii=False))
    return 0


with open(os.path.join(HERE, "catalog.json"), encoding="utf-8") as _f:
    CATALOG = json.load(_f)

if __name__ == "__main__":
    sys.exit(main())
