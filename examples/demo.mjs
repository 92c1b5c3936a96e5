// The seed example of label smoothing (the Annotated Transformer / pyitcast `LabelSmoothing`):
// 5 classes, padding class 0, ε = 0.5, targets [2, 1, 0]. Prints the smoothed target matrix
// that the seed plots with plt.imshow(crit.true_dist).
import { backend, smoothTargets } from 'labelsmooth';

const size = 5;
const target = [2, 1, 0];
const trueDist = smoothTargets(target, size, { labelSmoothing: 0.5, convention: 'annotated', paddingIdx: 0 });

console.log(`labelsmooth (${backend()} build): the seed's smoothed targets`);
console.log(`LabelSmoothing(size=${size}, padding_idx=0, smoothing=0.5), target = [${target}]`);
console.log();
console.log(`           ${Array.from({ length: size }, (_, k) => `class ${k}`.padStart(9)).join('')}`);
target.forEach((t, row) => {
  const cells = Array.from(trueDist.subarray(row * size, row * size + size), (v) => v.toFixed(4).padStart(9));
  const note = t === 0 ? '  (target is the padding class: row zeroed)' : '';
  console.log(`row ${row} → ${t}  ${cells.join('')}${note}`);
});
console.log();
console.log('1-ε = 0.5 on the target, ε/(K-2) = 0.1667 on the other non-padding classes, 0 in the padding column.');
