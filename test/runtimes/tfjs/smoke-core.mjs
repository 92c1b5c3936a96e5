// labelsmooth/tfjs as a consumer uses it, in any runtime: `tf` is @tensorflow/tfjs-core with the
// backend named `backendName` registered (default cpu), `lt` the labelsmooth/tfjs module. Only forward ops of tfjs are used
// (tfjs-core alone registers no gradients): the loss against tfjs's own loss, the gradient from
// tf.valueAndGrad (labelsmooth's customGrad) against softmax − q over N, and a few SGD steps.
export async function smoke(tf, lt, backendName = 'cpu') {
  if (!(await tf.setBackend(backendName))) throw new Error(`tfjs could not start its ${backendName} backend`);
  const [n, k, eps] = [3, 4, 0.1];
  const x = tf.tensor2d([1, 2, 0.5, -1, 0, 0.1, -0.2, 0.3, 2.5, -1.5, -2, 0], [n, k]);
  const labels = tf.oneHot(tf.tensor1d([1, 0, 3], 'int32'), k);
  const { value, grad } = tf.valueAndGrad((l) => lt.softmaxCrossEntropy(labels, l, undefined, eps))(x);
  const q = tf.add(tf.mul(tf.cast(labels, 'float32'), 1 - eps), eps / k);
  const expectedGrad = tf.div(tf.sub(tf.softmax(x), q), n);
  const sparse = lt.sparseSoftmaxCrossEntropy(tf.tensor1d([1, 0, 3], 'int32'), x, { labelSmoothing: eps });
  // The logits themselves as the variable: no other op's gradient is needed.
  const w = tf.variable(x.clone());
  const optimizer = tf.train.sgd(0.5);
  const steps = [];
  for (let i = 0; i < 3; i++) steps.push(optimizer.minimize(() => lt.sparseSoftmaxCrossEntropy(tf.tensor1d([1, 0, 3], 'int32'), w, { labelSmoothing: eps }), true).dataSync()[0]);
  return {
    backend: tf.getBackend(),
    loss: value.dataSync()[0],
    tfjsLoss: tf.losses.softmaxCrossEntropy(labels, x, undefined, eps).dataSync()[0],
    sparseLoss: sparse.dataSync()[0],
    grad: Array.from(grad.dataSync()),
    expectedGrad: Array.from(expectedGrad.dataSync()),
    steps,
  };
}
