// The weights of a 784 → 10 layer, written the wrong way round: 10 × 784 instead of 784 × 10.
import { matmul, zeros } from "tenfold";

const images = zeros("64 784");
const weights = zeros("10 784");
export const logits = matmul(images, weights);
