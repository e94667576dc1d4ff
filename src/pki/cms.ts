// Detached CMS SignedData for S/MIME multipart/signed (pec-rules §4): the one entry point the
// PEC message library uses to sign and verify smime.p7s. Sign and verify live in their own modules.

export { signDetached, signDetachedAsync, type CmsDigest, type SignOptions } from './cms-sign.js';
export { verifyDetached, type CmsSignerSummary, type CmsVerdict, type VerifyOptions } from './cms-verify.js';
export { normaliseP7s } from './cms-asn1.js';
