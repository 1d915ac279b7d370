import addressparser from 'nodemailer/lib/addressparser';

/** The sender of every e-mail: `MAIL_FROM`, parsed once at start-up. */
export interface MailSender {
  /** The display name, as written (decoded, unquoted); undefined for a bare address. */
  name: string | undefined;
  address: string;
}

/**
 * One mailbox, no spaces, brackets, quotes or separators: what an SMTP envelope can carry.
 * Deliberately plainer than RFC 5322 (no quoted local parts): a sender address that needs
 * them is a mistake more often than a wish.
 */
const PLAIN_ADDRESS = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+$/;

/**
 * Parses `MAIL_FROM` with nodemailer's own address parser, the one that also writes the
 * From header: `a@b`, `Name <a@b>`, `"Efternamn, Förnamn" <a@b>`, names in any script.
 * Throws an Error saying what is wrong (the caller names the setting).
 */
export function parseMailFrom(value: string): MailSender {
  if (/[\r\n\0]/.test(value)) throw new Error('must be one line');
  const entries = addressparser(value);
  if (entries.length !== 1 || entries[0]!.group !== undefined) {
    throw new Error('must be one address, e.g. "Driftstopp <driftstopp@kommun.se>" or driftstopp@kommun.se');
  }
  const { name, address } = entries[0]!;
  if (!PLAIN_ADDRESS.test(address)) throw new Error(`"${value}" holds no valid e-mail address`);
  return { name: name.trim() === '' ? undefined : name.trim(), address };
}

