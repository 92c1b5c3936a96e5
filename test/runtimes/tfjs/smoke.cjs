// Node (CommonJS): `require('labelsmooth/tfjs')` from the installed tarball.
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const lt = require('labelsmooth/tfjs');

import('./smoke-core.mjs')
  .then(({ smoke }) => smoke(tf, lt))
  .then((results) => console.log(JSON.stringify(results)));
