/**
 * A tiny SMTP server (Node's `net` only) that catches mail instead of sending it: `npm start`'s
 * certificate example emails into it, and tests read what arrived. It accepts every message on
 * 127.0.0.1 without TLS or authentication, keeps it, and parses enough MIME to read headers, text
 * and attachments.
 *
 *   const sink = await startSmtpSink();
 *   // SMTP credential: host 127.0.0.1, port sink.port, secure false, no user/password
 *   const [message] = await sink.waitForMessages(1);
 *   message.attachments[0].content.subarray(0, 5).toString() === '%PDF-';
 *   await sink.stop();
 */
import * as net from 'net';

export interface MimePart {
	headers: Record<string, string>;
	/** The decoded body (base64 and quoted-printable undone). */
	content: Buffer;
	contentType: string;
	fileName?: string;
}

export interface ReceivedMessage {
	/** MAIL FROM address. */
	from: string;
	/** RCPT TO addresses. */
	to: string[];
	/** The message as sent (after dot-unstuffing). */
	raw: string;
	headers: Record<string, string>;
	/** Every leaf part (a single-part message is one part). */
	parts: MimePart[];
	/** Leaf parts with a file name or `Content-Disposition: attachment`. */
	attachments: MimePart[];
	/** The first text/plain part, decoded. */
	text: string;
}

export interface SmtpSink {
	port: number;
	host: string;
	messages: ReceivedMessage[];
	/** Resolves once at least `count` messages arrived (rejects after `timeoutMs`). */
	waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
	stop(): Promise<void>;
}

/** `onMessage` is called with each message as it arrives. */
export async function startSmtpSink(
	onMessage?: (message: ReceivedMessage) => void,
): Promise<SmtpSink> {
	const messages: ReceivedMessage[] = [];
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => socket.destroy());
		serveSession(socket, (message) => {
			messages.push(message);
			onMessage?.(message);
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const port = (server.address() as net.AddressInfo).port;
	return {
		port,
		host: '127.0.0.1',
		messages,
		async waitForMessages(count, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			while (messages.length < count) {
				if (Date.now() > deadline)
					throw new Error(
						`Expected ${count} message(s) in the SMTP sink, got ${messages.length} within ${timeoutMs} ms`,
					);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
			return messages.slice(0, Math.max(count, messages.length));
		},
		stop() {
			for (const socket of sockets) socket.destroy();
			return new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** One SMTP session: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT. */
function serveSession(socket: net.Socket, deliver: (message: ReceivedMessage) => void): void {
	let buffer = '';
	let inData = false;
	let dataLines: string[] = [];
	let from = '';
	let to: string[] = [];
	const reply = (line: string) => socket.write(`${line}\r\n`);
	reply('220 smtp-sink.test ESMTP ready');

	socket.setEncoding('latin1');
	socket.on('data', (chunk: string) => {
		buffer += chunk;
		let newline: number;
		while ((newline = buffer.indexOf('\r\n')) !== -1) {
			const line = buffer.slice(0, newline);
			buffer = buffer.slice(newline + 2);
			if (inData) {
				if (line === '.') {
					inData = false;
					deliver(parseMessage(from, to, dataLines.join('\r\n')));
					dataLines = [];
					from = '';
					to = [];
					reply('250 2.0.0 Ok: queued');
				} else {
					dataLines.push(line.startsWith('..') ? line.slice(1) : line);
				}
				continue;
			}
			const verb = line.slice(0, 4).toUpperCase();
			if (verb === 'EHLO') {
				socket.write('250-smtp-sink.test\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n');
			} else if (verb === 'HELO') {
				reply('250 smtp-sink.test');
			} else if (verb === 'MAIL') {
				from = address(line);
				reply('250 2.1.0 Ok');
			} else if (verb === 'RCPT') {
				to.push(address(line));
				reply('250 2.1.5 Ok');
			} else if (verb === 'DATA') {
				inData = true;
				reply('354 End data with <CR><LF>.<CR><LF>');
			} else if (verb === 'RSET') {
				from = '';
				to = [];
				reply('250 2.0.0 Ok');
			} else if (verb === 'NOOP') {
				reply('250 2.0.0 Ok');
			} else if (verb === 'QUIT') {
				reply('221 2.0.0 Bye');
				socket.end();
			} else {
				reply('502 5.5.2 Command not implemented');
			}
		}
	});
}

function address(line: string): string {
	return /<([^>]*)>/.exec(line)?.[1] ?? line.slice(line.indexOf(':') + 1).trim();
}

// ---- MIME -----------------------------------------------------------------------------------------

function parseMessage(from: string, to: string[], raw: string): ReceivedMessage {
	const { headers, body } = splitHeaders(raw);
	const parts = leafParts(headers, body);
	const attachments = parts.filter(
		(part) =>
			part.fileName !== undefined || /^attachment/i.test(part.headers['content-disposition'] ?? ''),
	);
	const textPart = parts.find(
		(part) => part.contentType === 'text/plain' && !attachments.includes(part),
	);
	return {
		from,
		to,
		raw,
		headers,
		parts,
		attachments,
		text: textPart?.content.toString('utf8') ?? '',
	};
}

/** Headers (lower-cased names, folded lines joined) and the body after the first empty line. */
function splitHeaders(text: string): { headers: Record<string, string>; body: string } {
	const end = text.indexOf('\r\n\r\n');
	const head = end === -1 ? text : text.slice(0, end);
	const body = end === -1 ? '' : text.slice(end + 4);
	const headers: Record<string, string> = {};
	let last = '';
	for (const line of head.split('\r\n')) {
		if (/^[ \t]/.test(line) && last) {
			headers[last] += ` ${line.trim()}`;
			continue;
		}
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		last = line.slice(0, colon).trim().toLowerCase();
		headers[last] = line.slice(colon + 1).trim();
	}
	return { headers, body };
}

function headerParameter(value: string | undefined, name: string): string | undefined {
	if (!value) return undefined;
	const match = new RegExp(`(?:^|;)\\s*${name}\\*?=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(value);
	return match ? (match[1] ?? match[2]) : undefined;
}

function leafParts(headers: Record<string, string>, body: string): MimePart[] {
	const contentType = (headers['content-type'] ?? 'text/plain').split(';')[0].trim().toLowerCase();
	const boundary = headerParameter(headers['content-type'], 'boundary');
	if (contentType.startsWith('multipart/') && boundary) {
		const sections = body.split(`--${boundary}`);
		// Before the first delimiter is the preamble; from the closing `--boundary--` on, the epilogue.
		return sections
			.slice(1)
			.filter((section) => !section.startsWith('--'))
			.flatMap((section) => {
				const part = splitHeaders(section.replace(/^\r\n/, ''));
				return leafParts(part.headers, part.body.replace(/\r\n$/, ''));
			});
	}
	const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
	const content =
		encoding === 'base64'
			? Buffer.from(body.replace(/\s+/g, ''), 'base64')
			: encoding === 'quoted-printable'
				? decodeQuotedPrintable(body)
				: Buffer.from(body, 'latin1');
	const fileName =
		headerParameter(headers['content-disposition'], 'filename') ??
		headerParameter(headers['content-type'], 'name');
	return [{ headers, content, contentType, ...(fileName !== undefined ? { fileName } : {}) }];
}

function decodeQuotedPrintable(text: string): Buffer {
	const unfolded = text.replace(/=\r\n/g, '');
	const bytes: number[] = [];
	for (let index = 0; index < unfolded.length; index++) {
		const char = unfolded[index];
		if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(unfolded.slice(index + 1, index + 3))) {
			bytes.push(parseInt(unfolded.slice(index + 1, index + 3), 16));
			index += 2;
		} else {
			bytes.push(unfolded.charCodeAt(index) & 0xff);
		}
	}
	return Buffer.from(bytes);
}
