import type { Resource } from '@graft/core';
import { debianCandidates } from './debian.js';

/** The four IDX files of Fashion-MNIST, by their upstream names. */
export const FASHION_MNIST_NAMES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;
export type FashionMnistName = (typeof FASHION_MNIST_NAMES)[number];

/**
 * sha256 of each `.gz` as Zalando serves it, then as Debian's dataset-fashion-mnist ships it. Debian's
 * build re-writes the gzip headers (strip-nondeterminism: no file name, a fixed time), so its bytes
 * differ while the IDX content is identical. Upstream's digests were checked here: the labels files
 * taken from the zalandoresearch/fashion-mnist repository, the image files rebuilt from Debian's IDX
 * content with upstream's header (GNU gzip -6), and all four match the MD5s upstream publishes.
 */
const FASHION_MNIST_SHA256: Record<FashionMnistName, readonly [string, string]> = {
  'train-images-idx3-ubyte': ['3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84', 'b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7'],
  'train-labels-idx1-ubyte': ['a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845', '0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056'],
  't10k-images-idx3-ubyte': ['346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073', 'cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa'],
  't10k-labels-idx1-ubyte': ['67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5', '8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05'],
};

/** Fashion-MNIST's public home (Xiao et al. 2017), the address torchvision and Keras download from. */
export const FASHION_MNIST_BASE_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/** One Fashion-MNIST file: its public URL, pinned digests, size cap and Debian's copies. */
export function fashionMnistFile(name: FashionMnistName): Resource {
  return {
    url: `${FASHION_MNIST_BASE_URL}${name}.gz`,
    sha256: FASHION_MNIST_SHA256[name],
    maxBytes: 32_000_000,
    label: `Fashion-MNIST ${name}.gz`,
    localCopies: debianCandidates('dataset-fashion-mnist', `usr/share/datasets/fashion-mnist/${name}.gz`),
  };
}

/** Where scikit-learn keeps its copy of the UCI optdigits test set, and where Debian's python3-sklearn installs it. */
export const SKLEARN_DIGITS_URL = 'https://raw.githubusercontent.com/scikit-learn/scikit-learn/main/sklearn/datasets/data/digits.csv.gz';
export const DEBIAN_SKLEARN_DIGITS = 'usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';

/**
 * scikit-learn's `digits.csv.gz`, pinned twice:
 * - Debian's copy (python3-sklearn), sha256 computed here from its bytes: 57,512 bytes.
 * - scikit-learn's own file, not downloaded here to check: scikit-learn keeps it as a plain binary in git,
 *   which the code search available here cannot read, so the digest is the one a Git LFS pointer states for
 *   the same path in a public copy of scikit-learn's tree (github.com/uuup123/FC-HAT): 57,523 bytes, i.e.
 *   Debian's 57,512 plus the 11-byte file-name field (`digits.csv\0`) Debian's build strips from the gzip
 *   header. Consistent, but not verified against scikit-learn's bytes.
 */
const SKLEARN_DIGITS_SHA256 = {
  upstream: '09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22',
  debian: '46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a',
};

export function sklearnDigitsFile(): Resource {
  return {
    url: SKLEARN_DIGITS_URL,
    sha256: [SKLEARN_DIGITS_SHA256.upstream, SKLEARN_DIGITS_SHA256.debian],
    maxBytes: 1_000_000,
    label: "scikit-learn's digits.csv.gz",
    localCopies: debianCandidates('python3-sklearn', DEBIAN_SKLEARN_DIGITS),
  };
}
