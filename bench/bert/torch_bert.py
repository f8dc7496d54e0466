"""The PyTorch twin of bench/bert/run.mjs: the same BERT (post-LN, exact GELU, dropout 0.1), the same
batch (batch 16 x 64 tokens, the same seeded ids), the same two steps (sequence classification and
masked-LM with a tied decoder over the chosen positions only), Adam, one thread. Prints one JSON line.
Run with Debian's python3 (apt-get install python3-torch)."""
import argparse, json, math, resource, statistics, time
import torch
import torch.nn.functional as F
from torch import nn

SHAPES = {'mini': (2, 64, 4, 256), 'small': (4, 256, 4, 1024)}
BATCH, SEQ, VOCAB = 16, 64, 30522


def batch_data(seed):
    state = seed
    def nxt():
        nonlocal state
        state = (state * 1664525 + 1013904223) % 2**32
        return state / 2**32
    ids = [101 if i % SEQ == 0 else 102 if i % SEQ == SEQ - 1 else 1000 + math.floor(nxt() * (VOCAB - 1000)) for i in range(BATCH * SEQ)]
    labels = [math.floor(nxt() * 2) for _ in range(BATCH)]
    mlm = [i_id if i % SEQ not in (0, SEQ - 1) and nxt() < 0.15 else -1 for i, i_id in enumerate(ids)]
    return ids, labels, mlm


class Layer(nn.Module):
    def __init__(self, h, heads, inner):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
        self.up, self.down = nn.Linear(h, inner), nn.Linear(inner, h)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, bias):
        b, s, h = x.shape
        split = lambda t: t.view(b, s, self.heads, h // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        probs = self.drop(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + bias, -1))
        ctx = (probs @ v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.o(ctx)))
        return self.ln2(x + self.drop(self.down(F.gelu(self.up(x)))))


class Bert(nn.Module):
    def __init__(self, layers, h, heads, inner):
        super().__init__()
        self.words, self.positions, self.types = nn.Embedding(VOCAB, h), nn.Embedding(SEQ, h), nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer(h, heads, inner) for _ in range(layers))
        self.pooler = nn.Linear(h, h)
        self.classifier = nn.Linear(h, 2)
        self.mlm_dense, self.mlm_ln = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.mlm_bias = nn.Parameter(torch.zeros(VOCAB))

    def encode(self, ids, mask):
        x = self.words(ids) + self.positions.weight[: ids.shape[1]] + self.types(torch.zeros_like(ids))
        x = self.drop(self.ln(x))
        bias = ((1 - mask) * -1e4)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, bias)
        return x

    def classify_loss(self, ids, mask, labels):
        h = self.encode(ids, mask)
        return F.cross_entropy(self.classifier(torch.tanh(self.pooler(h[:, 0]))), labels)

    def mlm_loss(self, ids, mask, positions, targets):
        h = self.encode(ids, mask).reshape(-1, self.words.weight.shape[1])[positions]
        t = self.mlm_ln(F.gelu(self.mlm_dense(h)))
        return F.cross_entropy(t @ self.words.weight.t() + self.mlm_bias, targets)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--shapes', default='mini,small')
    p.add_argument('--phases', default='finetune,mlm')
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--steps', type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    ids, labels, mlm = batch_data(7)
    ids_t = torch.tensor(ids).view(BATCH, SEQ)
    mask = torch.ones_like(ids_t)
    labels_t = torch.tensor(labels)
    positions = torch.tensor([i for i, t in enumerate(mlm) if t >= 0])
    targets = torch.tensor([t for t in mlm if t >= 0])
    results = []
    for shape in a.shapes.split(','):
        model = Bert(*SHAPES[shape]).train()
        for phase in a.phases.split(','):
            params = [q for n, q in model.named_parameters() if (n.startswith('mlm') if phase == 'mlm' else n.startswith('classifier')) or not n.startswith(('mlm', 'classifier'))]
            opt = torch.optim.Adam(params, lr=1e-3)
            loss_fn = (lambda: model.mlm_loss(ids_t, mask, positions, targets)) if phase == 'mlm' else (lambda: model.classify_loss(ids_t, mask, labels_t))
            def step():
                opt.zero_grad()
                loss = loss_fn()
                loss.backward()
                opt.step()
                return loss.item()
            for _ in range(2):
                step()
            rates, cpu = [], []
            for _ in range(a.reps):
                t0, c0 = time.perf_counter(), time.process_time()
                for _ in range(a.steps):
                    step()
                rates.append(a.steps * BATCH * SEQ / (time.perf_counter() - t0))
                cpu.append((time.process_time() - c0) * 1000 / a.steps)
            results.append({'shape': shape, 'phase': phase, 'tokensPerSecond': statistics.median(rates), 'all': rates, 'cpuMsPerStep': statistics.median(cpu)})
    print(json.dumps({'backend': 'pytorch', 'torch': torch.__version__, 'gemmGflops': gemm_gflops(), 'results': results,
                      'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def gemm_gflops():
    """Throughput of one 1024x256 by 256x1024 product: what the BLAS this torch was built with delivers."""
    a, b = torch.randn(1024, 256), torch.randn(256, 1024)
    for _ in range(3):
        a @ b
    t0 = time.perf_counter()
    for _ in range(10):
        a @ b
    return 2 * 1024 * 256 * 1024 * 10 / (time.perf_counter() - t0) / 1e9


main()
