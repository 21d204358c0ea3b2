/** The version of spantrail, written into every `meta` record. */
const version = '0.1.0';

export default version;
