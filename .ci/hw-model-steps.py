#!/usr/bin/env python3
"""Times real training steps of the zoo's models on one GPU with PyTorch and writes them as a Measurement CSV.

`schedlab hw validate` checks the speed model's arithmetic on synthetic GEMMs; this script checks the zoo's
*cross-GPU* rule instead: a zoo model measured on one GPU type (V100, T4, A100) is predicted on another by the ratio
of dense FP16 peaks (`ZooModel.computeSeconds(on:)`). Each row here is one zoo model's real forward + backward +
optimizer step, at the zoo's reference batch per GPU, on this machine's GPU, so `schedlab fidelity` can compare
the rule's prediction with it.

What is modelled and what is not:
- The architectures are rebuilt from their published definitions (torchvision's ResNet-50; a CIFAR ResNet-18 with
  the 3x3 stem of He et al. 2016 section 4.2 as the Gavel and Pollux CIFAR jobs use; BERT-base from Hugging Face
  transformers' BertConfig defaults, with a question-answering head as SQuAD fine-tuning has; a Transformer-base
  encoder-decoder (Vaswani et al. 2017, d_model 512, 6+6 layers) with a 10k-token vocabulary per side, 54 M
  parameters where the zoo's entry says 65 M (its vocabulary is not known here); a 2-layer
  LSTM language model as PyTorch's word_language_model example, sized to the zoo's 28 M parameters; a GPT-2
  style 1.3 B model at 2,048 tokens). No weights are downloaded: nothing outside the machine can be reached.
- Inputs are random tensors already on the GPU, so host-side data loading and augmentation, which the published
  measurements include, are not timed. The step is the framework's own work: the host issuing kernels and the GPU
  running them (small steps are held by the former).
- Zoo models without a faithful offline definition here are skipped and named (NeuMF, YOLOv3, DeepSpeech2).

Every step is timed with CUDA events after warm-up; the median of --iterations steps is written. Each model runs
in fp32 (PyTorch's defaults: TF32 off for matmuls, on for cuDNN convolutions) and under bf16 autocast; the
precision is part of each row's `source`, since the Measurement CSV has no precision column.

Usage: hw-model-steps.py [--out FILE.csv] [--iterations N] [--warmup N] [--models a,b,...] [--node-template T]
Exit status: 0 every model measured; 1 some model failed (the rest are still written); 3 no CUDA device.
"""
import argparse
import csv
import datetime
import math
import statistics
import sys
import time
import traceback


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="h200-model-steps.csv", help="Measurement CSV to write")
    p.add_argument("--iterations", type=int, default=20, help="timed steps per model and precision")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    p.add_argument("--models", default="", help="comma-separated zoo names (default: all measurable)")
    p.add_argument("--precisions", default="fp32,bf16", help="comma-separated: fp32, bf16")
    p.add_argument("--node-template", default="dgx-h100",
                   help="node template written in each row (the GPU type column names the GPU itself)")
    p.add_argument("--gpu-type", default="h200", help="zoo GPU type name written in each row")
    args = p.parse_args()
    if args.iterations < 3 or args.iterations > 1000:
        p.error("--iterations must be in 3...1000")
    if args.warmup < 1 or args.warmup > 100:
        p.error("--warmup must be in 1...100")
    return args


def build_models(torch, nn):
    """Zoo name -> (reference batch, factory returning (module, make_batch, loss_fn), description)."""

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.b1 = nn.BatchNorm2d(cout)
            self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.b2 = nn.BatchNorm2d(cout)
            self.short = nn.Sequential()
            if stride != 1 or cin != cout:
                self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            y = torch.relu(self.b1(self.c1(x)))
            y = self.b2(self.c2(y))
            return torch.relu(y + self.short(x))

    class CifarResNet18(nn.Module):
        """ResNet-18 for 32x32 inputs: 3x3 stem, no max-pool, stages of 64/128/256/512 channels, 2 blocks each."""

        def __init__(self, classes=10):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
            layers, cin = [], 64
            for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
                layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
                cin = cout
            self.layers = nn.Sequential(*layers)
            self.fc = nn.Linear(512, classes)

        def forward(self, x):
            y = self.layers(self.stem(x))
            return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))

    class Seq2SeqTransformer(nn.Module):
        """Transformer-base (d_model 512, 8 heads, FFN 2048, 6+6 layers) with a 10k-token vocabulary per side and
        the output projection tied to the target embedding: 54.4 M parameters (44.1 M in the layers, 10.2 M in the
        embeddings; the zoo's entry says 65 M, which a larger vocabulary would give)."""

        def __init__(self, vocab=10_000):
            super().__init__()
            self.src = nn.Embedding(vocab, 512)
            self.tgt = nn.Embedding(vocab, 512)
            self.core = nn.Transformer(512, 8, 6, 6, 2048, 0.1, batch_first=True)
            self.vocab = vocab

        def forward(self, src, tgt):
            mask = self.core.generate_square_subsequent_mask(tgt.shape[1], device=tgt.device)
            y = self.core(self.src(src), self.tgt(tgt), tgt_mask=mask, tgt_is_causal=True)
            return y @ self.tgt.weight.t()

    class LSTMLanguageModel(nn.Module):
        """Embedding 400, 2-layer LSTM with 400 hidden units, untied decoder over WikiText-2's 33,278 words:
        about 29 M parameters (the zoo's 28 M)."""

        def __init__(self, vocab=33_278, width=400):
            super().__init__()
            self.emb = nn.Embedding(vocab, width)
            self.rnn = nn.LSTM(width, width, 2, dropout=0.2, batch_first=True)
            self.dec = nn.Linear(width, vocab)

        def forward(self, x):
            y, _ = self.rnn(self.emb(x))
            return self.dec(y)

    def image_classifier(module, side, classes):
        def make(batch, device):
            x = torch.randn(batch, 3, side, side, device=device).contiguous(memory_format=torch.channels_last)
            y = torch.randint(0, classes, (batch,), device=device)
            return (x,), y
        return module.to(memory_format=torch.channels_last), make, nn.functional.cross_entropy

    def resnet50():
        import torchvision
        return image_classifier(torchvision.models.resnet50(), 224, 1000)

    def resnet18_cifar():
        return image_classifier(CifarResNet18(), 32, 10)

    def bert_qa():
        import transformers
        config = transformers.BertConfig()  # BERT-base: 12 layers, hidden 768, 12 heads, 110 M parameters
        model = transformers.BertForQuestionAnswering(config)

        def make(batch, device):
            ids = torch.randint(0, config.vocab_size, (batch, 384), device=device)
            start = torch.randint(0, 384, (batch,), device=device)
            end = torch.randint(0, 384, (batch,), device=device)
            return (ids,), (start, end)

        def loss(out, target):
            return (nn.functional.cross_entropy(out.start_logits, target[0])
                    + nn.functional.cross_entropy(out.end_logits, target[1])) / 2
        return model, make, loss

    def transformer():
        model = Seq2SeqTransformer()

        def make(batch, device):
            src = torch.randint(0, model.vocab, (batch, 32), device=device)
            tgt = torch.randint(0, model.vocab, (batch, 33), device=device)
            return (src, tgt[:, :-1]), tgt[:, 1:]

        def loss(out, target):
            return nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), target.reshape(-1))
        return model, make, loss

    def lstm_lm():
        model = LSTMLanguageModel()

        def make(batch, device):
            x = torch.randint(0, 33_278, (batch, 36), device=device)
            return (x[:, :-1],), x[:, 1:]

        def loss(out, target):
            return nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), target.reshape(-1))
        return model, make, loss

    def gpt_1_3b():
        import transformers
        # GPT-3 XL's shape (Brown et al. 2020, table 2.1): 24 layers, d_model 2048, 16 heads, 2,048 tokens.
        config = transformers.GPT2Config(n_positions=2048, n_embd=2048, n_layer=24, n_head=16)
        model = transformers.GPT2LMHeadModel(config)  # no activation checkpointing: the zoo's step has none

        def make(batch, device):
            x = torch.randint(0, config.vocab_size, (batch, 2049), device=device)
            return (x[:, :-1],), x[:, 1:]

        def loss(out, target):
            logits = out.logits
            return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), target.reshape(-1))
        return model, make, loss

    return {
        "resnet50": (256, resnet50, "torchvision ResNet-50, 224x224, 1,000 classes"),
        "resnet50-imagenet": (200, resnet50, "torchvision ResNet-50, 224x224, 1,000 classes"),
        "resnet18": (128, resnet18_cifar, "CIFAR ResNet-18, 32x32"),
        "resnet18-cifar10": (1024, resnet18_cifar, "CIFAR ResNet-18, 32x32"),
        "bert-base": (8, bert_qa, "BERT-base QA head, 384 tokens"),
        "bert-squad": (12, bert_qa, "BERT-base QA head, 384 tokens"),
        "transformer": (128, transformer, "Transformer-base 6+6, 32+32 tokens, 10k vocabulary"),
        "lm": (20, lstm_lm, "2-layer LSTM 400, 35 tokens, 33,278 words"),
        "gpt-1.3b": (8, gpt_1_3b, "GPT-2 style 24x2048, 2,048 tokens, AdamW"),
    }


SKIPPED = {
    "neumf": "no faithful offline definition (the Pollux job's embedding tables follow its dataset)",
    "yolov3": "no offline YOLOv3 definition in the image",
    "deepspeech2": "no offline DeepSpeech2 definition in the image",
}


def make_step(torch, name, batch, factory, precision):
    """One training step of zoo model `name` on the GPU at `batch` samples: (step function, parameter count).
    Also used by hw-packing.py, so both scripts time the same step."""
    device = torch.device("cuda")
    model, make_batch, loss_fn = factory()
    model = model.to(device)
    model.train()
    params = sum(p.numel() for p in model.parameters())
    if name == "gpt-1.3b":
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    inputs, target = make_batch(batch, device)
    use_bf16 = precision == "bf16"

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_bf16):
            out = model(*inputs)
            loss = loss_fn(out, target)
        loss.backward()
        opt.step()
        return loss

    return step, params


def time_model(torch, name, batch, factory, precision, warmup, iterations):
    step, params = make_step(torch, name, batch, factory, precision)
    for _ in range(warmup):
        loss = step()
    torch.cuda.synchronize()
    if not math.isfinite(float(loss.detach())):
        raise RuntimeError(f"{name}: loss is {float(loss.detach())} after warm-up")
    times = []
    for _ in range(iterations):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1000.0)
    peak_gb = torch.cuda.max_memory_allocated() / 1e9
    del step, loss  # the model, optimizer and batch the step holds
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    return statistics.median(times), min(times), max(times), params, peak_gb


def import_torch(prog):
    """PyTorch with a CUDA device, or None after saying on standard error (as `prog`) why not."""
    try:
        import torch
    except ImportError as e:
        print(f"{prog}: PyTorch not importable ({e})", file=sys.stderr)
        return None
    if not torch.cuda.is_available():
        print(f"{prog}: no CUDA device visible to PyTorch", file=sys.stderr)
        return None
    return torch


def main():
    args = parse_args()
    torch = import_torch("hw-model-steps")
    if torch is None:
        return 3
    from torch import nn
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(1)
    gpu = torch.cuda.get_device_name(0)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    models = build_models(torch, nn)
    wanted = [m for m in args.models.split(",") if m] or list(models)
    precisions = [p for p in args.precisions.split(",") if p]
    for p in precisions:
        if p not in ("fp32", "bf16"):
            print(f"hw-model-steps: unknown precision '{p}' (expected fp32 or bf16)", file=sys.stderr)
            return 2
    rows, failed = [], []
    print(f"# {gpu}, torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, {when}")
    print(f"{'model':<18} {'prec':<5} {'batch':>6} {'median s':>10} {'min s':>10} {'max s':>10} {'params M':>9} {'peak GB':>8}")
    for name in wanted:
        if name in SKIPPED:
            print(f"{name:<18} skipped: {SKIPPED[name]}")
            continue
        if name not in models:
            print(f"hw-model-steps: unknown model '{name}' (expected one of {', '.join(models)})", file=sys.stderr)
            return 2
        batch, factory, what = models[name]
        # A 1.3 B-parameter step in fp32 takes seconds: fewer repetitions keep the whole run within minutes.
        warmup, iterations = (min(args.warmup, 2), min(args.iterations, 5)) if name == "gpt-1.3b" else (args.warmup, args.iterations)
        for precision in precisions:
            began = time.monotonic()
            try:
                med, lo, hi, params, peak = time_model(torch, name, batch, factory, precision, warmup, iterations)
            except Exception as e:  # one model's failure (e.g. out of memory) must not lose the others
                traceback.print_exc()
                print(f"{name:<18} {precision:<5} FAILED: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
                failed.append(f"{name}/{precision}")
                torch.cuda.empty_cache()
                continue
            print(f"{name:<18} {precision:<5} {batch:>6} {med:>10.5f} {lo:>10.5f} {hi:>10.5f} {params / 1e6:>9.1f} {peak:>8.1f}"
                  f"  ({time.monotonic() - began:.0f} s)", flush=True)
            source = (f"schedlab .ci/hw-model-steps.py on {gpu}, {precision}"
                      f"{' autocast' if precision == 'bf16' else ''}, {what}, median of {iterations} steps, "
                      f"no data loading (random inputs on the device), torch {torch.__version__}, {when}")
            rows.append([name, args.node_template, args.gpu_type, "1", str(batch), f"{med:.6g}", "", source])
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "node_template", "gpu_type", "placement", "local_batch", "step_s", "sync_s", "source"])
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.out}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
