import { sales } from '../../pipelines/sales';
import { lambdaProcessorHandler } from './lambda-processor';

/** Processor of the sales pipeline (MSK event source mapping target). */
export const handler = lambdaProcessorHandler(sales);
