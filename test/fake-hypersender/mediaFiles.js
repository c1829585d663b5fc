'use strict';
/**
 * Tiny real media files for the fake's media links, built here so that nothing binary is
 * committed: an Ogg Opus voice note (what WhatsApp sends as `audio/ogg; codecs=opus`), an 8x8
 * grey baseline JPEG and a one-page PDF. Each opens in ordinary players and viewers.
 */

// Ogg's CRC-32: polynomial 0x04c11db7, not reflected, starting at 0.
const OGG_CRC_TABLE = Array.from({ length: 256 }, (_, byte) => {
	let crc = byte << 24;
	for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
	return crc >>> 0;
});

function oggPage(packets, { headerType, granule, sequence }) {
	const segments = packets.flatMap((packet) => [...Array(Math.floor(packet.length / 255)).fill(255), packet.length % 255]);
	const header = Buffer.alloc(27);
	header.write('OggS', 0, 'latin1');
	header[5] = headerType;
	header.writeBigInt64LE(BigInt(granule), 6);
	header.writeUInt32LE(0x4e384e38, 14);
	header.writeUInt32LE(sequence, 18);
	header[26] = segments.length;
	const page = Buffer.concat([header, Buffer.from(segments), ...packets]);
	let crc = 0;
	for (const byte of page) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 255]) >>> 0;
	page.writeUInt32LE(crc, 22);
	return page;
}

function opusVoiceNote() {
	const head = Buffer.alloc(19);
	head.write('OpusHead', 0, 'latin1');
	head[8] = 1; // version
	head[9] = 1; // mono, as WhatsApp records
	head.writeUInt16LE(312, 10); // pre-skip
	head.writeUInt32LE(48_000, 12);
	const vendor = Buffer.from('fake-hypersender');
	const tags = Buffer.concat([Buffer.from('OpusTags'), Buffer.from(Uint32Array.of(vendor.length).buffer), vendor, Buffer.alloc(4)]);
	// 50 frames of 20 ms (one second): TOC 0xF8 (CELT fullband, 20 ms, mono, one frame) with no data is silence.
	const frames = Array.from({ length: 50 }, () => Buffer.from([0xf8]));
	return Buffer.concat([
		oggPage([head], { headerType: 2, granule: 0, sequence: 0 }),
		oggPage([tags], { headerType: 0, granule: 0, sequence: 1 }),
		oggPage(frames, { headerType: 4, granule: 312 + 50 * 960, sequence: 2 }),
	]);
}

/** 8x8 mid grey, greyscale baseline: one-symbol Huffman tables, so the scan is DC 0 and end-of-block. */
function greyJpeg() {
	const segment = (marker, body) => Buffer.concat([Buffer.from([0xff, marker]), Buffer.from([(body.length + 2) >> 8, (body.length + 2) & 255]), Buffer.from(body)]);
	const oneSymbolTable = (tableClass) => [tableClass << 4, 1, ...Array(15).fill(0), 0];
	return Buffer.concat([
		Buffer.from([0xff, 0xd8]),
		segment(0xe0, [...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
		segment(0xdb, [0, ...Array(64).fill(1)]),
		segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
		segment(0xc4, oneSymbolTable(0)),
		segment(0xc4, oneSymbolTable(1)),
		segment(0xda, [1, 1, 0x00, 0, 63, 0]),
		Buffer.from([0x3f, 0xff, 0xd9]),
	]);
}

function onePagePdf() {
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		'<< /Length 40 >>\nstream\nBT /F1 18 Tf 20 40 Td (Invoice 42) Tj ET\nendstream',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
	];
	let text = '%PDF-1.4\n';
	const offsets = objects.map((object, index) => {
		const offset = text.length;
		text += `${index + 1} 0 obj\n${object}\nendobj\n`;
		return offset;
	});
	const xref = text.length;
	text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
	text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(text, 'latin1');
}

/** The files by name, with the Content-Type the fake serves them with. */
const MEDIA_FILES = {
	'voice.ogg': { contentType: 'audio/ogg; codecs=opus', bytes: opusVoiceNote() },
	'photo.jpg': { contentType: 'image/jpeg', bytes: greyJpeg() },
	'invoice.pdf': { contentType: 'application/pdf', bytes: onePagePdf() },
};

module.exports = { MEDIA_FILES };
