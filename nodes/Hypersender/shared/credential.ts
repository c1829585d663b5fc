/** The credential both nodes use, by its type name and as error messages name it. */
export const CREDENTIAL_TYPE = 'hypersenderApi';

export const CREDENTIAL_NAME = "the 'Hypersender API' credential";
