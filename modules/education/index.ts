import { fileExtractSource } from '../../src/sources/file-extract/file-extract.adapter';
import mapping from './education.mapping.json';
import { educationSandbox } from './sandbox/education-sandbox';

/**
 * Education: a school information system's nightly pupil extract (CSV), connected by its mapping file alone
 * (`education.mapping.json`: the declaration and the columns; docs/sources.md).
 */
export const educationSource = fileExtractSource(mapping, 'modules/education/education.mapping.json', educationSandbox);
