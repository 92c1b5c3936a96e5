// The Annotated Transformer's label-smoothing example (its `LabelSmoothing` class, also in
// pyitcast): 5 classes, padding class 0, ε = 0.5, targets [2, 1, 0]. Prints the smoothed target
// matrix that the Annotated Transformer plots with plt.imshow(crit.true_dist), the example's loss,
// and a label-smoothed cross-entropy with its gradient.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backend, crossEntropyWithGrad, LabelSmoothing, renderHeatmap, smoothTargets } from 'labelsmooth';

const size = 5;
const target = [2, 1, 0];
const trueDist = smoothTargets(target, size, { labelSmoothing: 0.5, convention: 'annotated', paddingIdx: 0 });
const fmt = (v) => v.toFixed(4).padStart(9);

console.log(`labelsmooth (${backend()} build): the Annotated Transformer example's smoothed targets`);
console.log(`LabelSmoothing(size=${size}, padding_idx=0, smoothing=0.5), target = [${target}]`);
console.log();
console.log(`           ${Array.from({ length: size }, (_, k) => `class ${k}`.padStart(9)).join('')}`);
target.forEach((t, row) => {
  const cells = Array.from(trueDist.subarray(row * size, row * size + size), fmt);
  const note = t === 0 ? '  (target is the padding class: row zeroed)' : '';
  console.log(`row ${row} → ${t}  ${cells.join('')}${note}`);
});
console.log();
console.log('1-ε = 0.5 on the target, ε/(K-2) = 0.1667 on the other non-padding classes, 0 in the padding column.');

// The example's loss: the course code calls crit(predict, target) with the probabilities themselves.
const predict = new Float32Array([0, 0.2, 0.7, 0.1, 0, 0, 0.2, 0.7, 0.1, 0, 0, 0.2, 0.7, 0.1, 0]);
const crit = new LabelSmoothing({ size, paddingIdx: 0, smoothing: 0.5 });
console.log();
console.log(`The example's loss, crit(predict, target) with predict as given: ${crit.forward(predict, target).toFixed(5)}`);
console.log(`With log(predict), as the Annotated Transformer notebook does: ${crit.forward(predict.map(Math.log), target)}`);
console.log('  (log 0 = -inf where the target puts mass 1/6: the loss is +Infinity; torch 1.13 prints nan)');

// A label-smoothed cross-entropy from logits, PyTorch style, and its gradient.
const logits = new Float32Array([1, 2, 0.5, -1, 0, 0.1, -0.2, 0.3, 2.5, -1.5]);
const labels = [1, 3];
const { loss, grad } = crossEntropyWithGrad(logits, labels, { numClasses: 5, labelSmoothing: 0.1 });
console.log();
console.log(`crossEntropy(logits 2×5, target [${labels}], { labelSmoothing: 0.1 }) = ${loss.toFixed(6)}  (mean over rows)`);
console.log('∂loss/∂logits:');
for (let row = 0; row < labels.length; row++) console.log(`  ${Array.from(grad.subarray(row * 5, row * 5 + 5), fmt).join('')}`);

// The example ends with plt.imshow(crit.true_dist): the same picture, as an SVG heatmap (viridis, like
// matplotlib's default), written under target/ (git-ignored) or to the path given as argument.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svgPath = path.resolve(process.argv[2] ?? path.join(repoRoot, 'target', 'annotated-example-heatmap.svg'));
mkdirSync(path.dirname(svgPath), { recursive: true });
writeFileSync(
  svgPath,
  renderHeatmap(trueDist, {
    numClasses: size,
    title: 'LabelSmoothing(size=5, padding_idx=0, smoothing=0.5): true_dist',
    rowLabels: target.map((t, row) => `${row} → ${t}`),
    yLabel: 'row → target',
    xLabel: 'class',
    min: 0,
  }),
);
console.log();
console.log(`The example's heatmap (plt.imshow(crit.true_dist)): ${path.relative(process.cwd(), svgPath) || svgPath}`);
console.log('(open it in a browser; `labelsmooth targets ... --plot FILE.svg` draws any other case)');
