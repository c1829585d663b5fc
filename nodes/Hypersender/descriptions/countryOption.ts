import type { INodeProperties } from 'n8n-workflow';

/**
 * The row's country, for phone numbers written in national form. The parameter keeps its old
 * name, defaultCountryCode, so saved workflows (which hold a calling code such as 49) keep working.
 */
export const countryOption: INodeProperties = {
	displayName: 'Country',
	name: 'defaultCountryCode',
	type: 'string',
	default: '',
	placeholder: 'DE or {{ $json.country }}',
	description:
		'The country of numbers written without + or 00, e.g. 0151 23456789 in Germany or (213) 213-2130 in the US: an ISO country code (DE, US), a calling code (49, +1) or an English country name (Germany). Use an expression for a country per row. Leave empty to reject numbers that are not in international form.',
};
