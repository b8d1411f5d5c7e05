// Every function exported by these files becomes a method the editor can call by name: keep helpers unexported.
import * as listSearch from './listSearch';
import * as loadOptions from './loadOptions';

export { listSearch, loadOptions };
