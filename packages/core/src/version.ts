// Part of every key: a release that changes what a verdict means must bump it.
export const AUTOPAR_VERSION = '0.1.0';
