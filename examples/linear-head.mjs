// A language-model head trained with linearCrossEntropyWithGrad: next-token prediction of a tiny
// synthetic language (token t is followed by (7·t + 3) mod V, 90 % of the time), hidden states
// from a trainable embedding table, the output layer V×D as nn.Linear stores it, plain SGD. The
// N×V logits are never built: the loss and the gradients come a chunk of rows at a time.
//   node examples/linear-head.mjs
import { allocFloat32, backend, linearCrossEntropyWithGrad } from 'labelsmooth';

const [v, d, n] = [1000, 64, 1024]; // vocabulary, hidden size, tokens per batch
// The mean's gradients are 1/N per token: the head's rate is large, the embedding's per token.
const [lrHead, lrEmbedding] = [100, 0.5];
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

const embedding = Float32Array.from({ length: v * d }, () => (rand() - 0.5) * 0.1);
const weight = allocFloat32(v * d); // the head, V×D
weight.view.set(Float32Array.from({ length: v * d }, () => (rand() - 0.5) * 0.1));
const hidden = allocFloat32(n * d);
const gradHidden = allocFloat32(n * d);
const gradWeight = allocFloat32(v * d);

console.log(`labelsmooth (${backend()} build): an LM head, V=${v}, D=${d}, ${n} tokens per step`);
for (let step = 0; step <= 40; step++) {
  // A batch: input tokens, their next tokens (10 % noise), hidden = embedding rows.
  const inputs = Int32Array.from({ length: n }, () => Math.floor(rand() * v));
  const targets = inputs.map((t) => (rand() < 0.9 ? (7 * t + 3) % v : Math.floor(rand() * v)));
  const h = hidden.view;
  inputs.forEach((t, i) => h.set(embedding.subarray(t * d, t * d + d), i * d));
  const { loss } = linearCrossEntropyWithGrad(hidden, weight, targets, {
    hiddenSize: d,
    labelSmoothing: 0.1,
    softcap: 30,
    gradHiddenOut: gradHidden,
    gradWeightOut: gradWeight,
  });
  // SGD: the head's weight, and the embedding rows through the hidden states' gradient.
  const [w, gw, gh] = [weight.view, gradWeight.view, gradHidden.view];
  for (let i = 0; i < w.length; i++) w[i] -= lrHead * gw[i];
  inputs.forEach((t, i) => {
    for (let j = 0; j < d; j++) embedding[t * d + j] -= lrEmbedding * n * gh[i * d + j];
  });
  if (step % 5 === 0) console.log(`step ${String(step).padStart(2)}  loss ${loss.toFixed(4)}`);
}
for (const a of [weight, hidden, gradHidden, gradWeight]) a.free();
