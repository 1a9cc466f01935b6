import { configTable } from '../shared/config/config-table.ts';

console.log(configTable());
