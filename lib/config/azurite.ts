/** Azurite's documented development account and key: public values, not secrets. */

/** Azurite's documented development account (public, not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's documented development key (public, not a secret). */
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
